// SPDX-License-Identifier: Apache-2.0
import NIOCore

/// Counters of one event loop. Touched only on that loop (handlers write, the
/// fleet reads with `loop.submit`), so it needs no lock.
final class LoopStats: @unchecked Sendable {
    let loop: any EventLoop
    var counters = Counters()
    var latency = Histogram()
    /// Messages sent before this (process-local ns) belong to an earlier phase: counted as stale.
    var phaseStartNs: UInt64 = 0
    /// The restart scenario's marks: when its restart command started and returned.
    var restartStartNs = UInt64.max
    var restartReturnNs = UInt64.max
    /// Latency of messages sent before the restart, while its command ran, and after it returned.
    var restartLatency = [Histogram]()

    init(loop: any EventLoop) { self.loop = loop }

    /// One tracked delivery's latency, by when its message was sent against the restart marks.
    func recordRestartWindow(sentNs: UInt64, latencyNs: UInt64) {
        if self.restartLatency.isEmpty { self.restartLatency = [Histogram(), Histogram(), Histogram()] }
        let window = sentNs < self.restartStartNs ? 0 : sentNs < self.restartReturnNs ? 1 : 2
        self.restartLatency[window].record(microseconds: latencyNs / 1000)
    }

    /// One message received: counted, with its latency, unless it is from an earlier phase.
    func recordDelivery(of body: ByteBuffer) {
        let now = Clock.nanoseconds()
        let sent = FrameScan.sendTime(in: body)
        if let sent, sent < self.phaseStartNs {
            self.counters.stale += 1
            return
        }
        self.counters.delivered += 1
        self.counters.lastDeliveryNs = now
        if let sent, now >= sent {
            self.latency.record(microseconds: (now - sent) / 1000)
        }
    }

    func snapshot() -> Snapshot {
        self.loop.preconditionInEventLoop()
        return Snapshot(counters: self.counters, latency: self.latency)
    }

    /// Forgets the latency samples and delivery counts (between phases).
    func resetTraffic(phaseStart: UInt64) {
        self.loop.preconditionInEventLoop()
        self.phaseStartNs = phaseStart
        self.latency = Histogram()
        self.counters.resetTraffic()
    }
}

/// What the bench counts. Sums over loops with `+`.
struct Counters: Sendable {
    var connected = 0
    var connectFailures = 0
    var registered = 0
    var registerExisting = 0
    var loggedIn = 0
    var loggedInWithToken = 0
    var loginFailures = 0
    /// Codes of refused logins (LoginResMes or ErrorMes), with their counts.
    var loginCodes: [Int: Int] = [:]
    var sent = 0
    var skippedBackpressure = 0
    var acked = 0
    var ackFailures = 0
    var delivered = 0
    /// Deliveries of messages sent in an earlier phase.
    var stale = 0
    var notifications = 0
    var errorFrames = 0
    /// ErrorMes codes seen, with their counts.
    var errorCodes: [Int: Int] = [:]
    var unexpectedCloses = 0
    var lastDeliveryNs: UInt64 = 0

    mutating func resetTraffic() {
        self.sent = 0
        self.skippedBackpressure = 0
        self.acked = 0
        self.ackFailures = 0
        self.delivered = 0
        self.lastDeliveryNs = 0
    }

    /// Everything that counts as an error in the report.
    var errors: Int {
        self.connectFailures + self.loginFailures + self.ackFailures + self.errorFrames + self.unexpectedCloses
    }

    static func + (a: Counters, b: Counters) -> Counters {
        var c = Counters()
        c.connected = a.connected + b.connected
        c.connectFailures = a.connectFailures + b.connectFailures
        c.registered = a.registered + b.registered
        c.registerExisting = a.registerExisting + b.registerExisting
        c.loggedIn = a.loggedIn + b.loggedIn
        c.loggedInWithToken = a.loggedInWithToken + b.loggedInWithToken
        c.loginFailures = a.loginFailures + b.loginFailures
        c.loginCodes = a.loginCodes.merging(b.loginCodes, uniquingKeysWith: +)
        c.sent = a.sent + b.sent
        c.skippedBackpressure = a.skippedBackpressure + b.skippedBackpressure
        c.acked = a.acked + b.acked
        c.ackFailures = a.ackFailures + b.ackFailures
        c.delivered = a.delivered + b.delivered
        c.stale = a.stale + b.stale
        c.notifications = a.notifications + b.notifications
        c.errorFrames = a.errorFrames + b.errorFrames
        c.errorCodes = a.errorCodes.merging(b.errorCodes, uniquingKeysWith: +)
        c.unexpectedCloses = a.unexpectedCloses + b.unexpectedCloses
        c.lastDeliveryNs = max(a.lastDeliveryNs, b.lastDeliveryNs)
        return c
    }
}

struct Snapshot: Sendable {
    var counters: Counters
    var latency: Histogram
}

/// One `LoopStats` per event loop of the group.
struct StatsSet: Sendable {
    let all: [LoopStats]

    init(group: any EventLoopGroup) {
        self.all = group.makeIterator().map { LoopStats(loop: $0) }
    }

    func stats(for loop: any EventLoop) -> LoopStats {
        self.all.first { $0.loop === loop } ?? self.all[0]
    }

    /// Counters and latency summed over every loop.
    func snapshot() async throws -> Snapshot {
        var merged = Snapshot(counters: Counters(), latency: Histogram())
        for stats in self.all {
            let one = try await stats.loop.submit { stats.snapshot() }.get()
            merged.counters = merged.counters + one.counters
            merged.latency.merge(one.latency)
        }
        return merged
    }

    /// Counters only (cheap: no histogram copy), for progress lines.
    func counters() async throws -> Counters {
        var sum = Counters()
        for stats in self.all {
            sum = sum + (try await stats.loop.submit { stats.counters }.get())
        }
        return sum
    }

    /// Sets the restart marks on every loop (nil leaves one as it is).
    func markRestart(start: UInt64?, returned: UInt64?) async throws {
        for stats in self.all {
            try await stats.loop.submit {
                if let start { stats.restartStartNs = start }
                if let returned { stats.restartReturnNs = returned }
            }.get()
        }
    }

    /// The restart windows' latency (before, during, after the command), summed over loops.
    func restartLatency() async throws -> [Histogram] {
        var merged = [Histogram(), Histogram(), Histogram()]
        for stats in self.all {
            let windows = try await stats.loop.submit { stats.restartLatency }.get()
            for (i, h) in windows.enumerated() { merged[i].merge(h) }
        }
        return merged
    }

    func resetTraffic() async throws {
        let now = Clock.nanoseconds()
        for stats in self.all {
            try await stats.loop.submit { stats.resetTraffic(phaseStart: now) }.get()
        }
    }

    /// Waits until no message has arrived for `quiet` (at most `limit`), so an earlier
    /// phase's backlog does not load the next one.
    func quiesce(quiet: Duration = .milliseconds(500), limit: Double) async throws {
        let end = Clock.nanoseconds() + UInt64(limit * 1e9)
        var last = -1
        while Clock.nanoseconds() < end {
            let c = try await self.counters()
            let seen = c.delivered + c.stale + c.notifications
            if seen == last { return }
            last = seen
            try await Task.sleep(for: quiet)
        }
    }
}
