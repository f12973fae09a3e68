// SPDX-License-Identifier: Apache-2.0
import NIOCore

/// What one session of the restart scenario saw: which bench messages (by id) reached
/// it, live or in its OfflineMes, when it was first served after the restart, and
/// whether its connection ended. Touched only on the session's loop.
final class RestartTracker {
    let stats: LoopStats
    /// Messages sent before this (process-local ns) are an earlier run's, whatever their id.
    let runStartNs: UInt64
    private var received = IDSet()
    private(set) var duplicates = 0
    private(set) var offline = 0
    /// Arrival of the first message sent after the restart command returned: only the
    /// new server process can have handled it.
    private(set) var servedAgainNs: UInt64?
    private(set) var closedNs: UInt64?
    private(set) var kicked = false

    init(stats: LoopStats, runStartNs: UInt64) {
        self.stats = stats
        self.runStartNs = runStartNs
    }

    /// A live SmsMes.
    func recordLive(_ body: ByteBuffer) {
        let now = Clock.nanoseconds()
        guard let (sent, id) = FrameScan.benchMessage(in: body), sent >= self.runStartNs else { return }
        self.mark(id)
        self.stats.recordRestartWindow(sentNs: sent, latencyNs: now >= sent ? now - sent : 0)
        if self.servedAgainNs == nil, sent >= self.stats.restartReturnNs { self.servedAgainNs = now }
    }

    /// An OfflineMes: what the server kept for this user while they were away.
    func recordOffline(_ body: ByteBuffer) {
        for (sent, id) in FrameScan.benchMessages(in: body) where sent >= self.runStartNs {
            self.offline += 1
            self.mark(id)
        }
    }

    func closed(kicked: Bool) {
        if self.closedNs == nil { self.closedNs = Clock.nanoseconds() }
        self.kicked = self.kicked || kicked
    }

    private func mark(_ id: Int) {
        if !self.received.insert(id) { self.duplicates += 1 }
    }

    var snapshot: Snapshot {
        Snapshot(
            received: self.received,
            duplicates: self.duplicates,
            offline: self.offline,
            servedAgainNs: self.servedAgainNs,
            closedNs: self.closedNs,
            kicked: self.kicked
        )
    }

    struct Snapshot: Sendable {
        var received: IDSet
        var duplicates: Int
        var offline: Int
        var servedAgainNs: UInt64?
        var closedNs: UInt64?
        var kicked: Bool
    }
}

/// A set of small non-negative integers (message ids), one bit each.
struct IDSet: Sendable {
    private var words: [UInt64] = []
    private(set) var count = 0

    /// False when `id` was in the set already.
    mutating func insert(_ id: Int) -> Bool {
        guard id >= 0 else { return true }
        let (word, bit) = (id / 64, UInt64(1) << UInt64(id % 64))
        if word >= self.words.count { self.words += [UInt64](repeating: 0, count: word - self.words.count + 1) }
        if self.words[word] & bit != 0 { return false }
        self.words[word] |= bit
        self.count += 1
        return true
    }

    func contains(_ id: Int) -> Bool {
        let word = id / 64
        return id >= 0 && word < self.words.count && self.words[word] & (UInt64(1) << UInt64(id % 64)) != 0
    }

    mutating func formUnion(_ other: IDSet) {
        if other.words.count > self.words.count {
            self.words += [UInt64](repeating: 0, count: other.words.count - self.words.count)
        }
        for i in other.words.indices { self.words[i] |= other.words[i] }
        self.count = self.words.reduce(0) { $0 + $1.nonzeroBitCount }
    }
}
