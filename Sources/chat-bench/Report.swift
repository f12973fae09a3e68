// SPDX-License-Identifier: Apache-2.0
import Foundation

/// A scenario's results: printed as a human summary, then as one JSON line.
struct Report: Codable, Sendable {
    var scenario: String
    var servers: [String]
    var sessions: Int
    var sourceAddresses: Int
    var date: String = ISO8601DateFormatter().string(from: Date())
    var host: String = ProcessInfo.processInfo.hostName
    var cores: Int = ProcessInfo.processInfo.activeProcessorCount
    var benchThreads: Int
    /// /proc/loadavg when the report was written: the machine is shared, so say how busy it was.
    var loadAverage: String?

    var connectSeconds: Double?
    var connectsPerSecond: Double?
    var registerSeconds: Double?
    var loginSeconds: Double?
    var loginsPerSecond: Double?
    /// "password" or "token": what the timed logins sent.
    var loginAuth: String?
    var loggedIn: Int?

    var rssAtZeroBytes: Int?
    var rssAtNBytes: Int?
    var rssPerSessionBytes: Double?

    var senders: Int?
    var recipientsPerMessage: Int?
    var messageBytes: Int?
    var offeredRate: Double?
    var durationSeconds: Double?
    var sent: Int?
    var skippedBackpressure: Int?
    var acked: Int?
    var expectedDeliveries: Int?
    var delivered: Int?
    var deliveriesPerSecond: Double?
    var latencyP50Ms: Double?
    var latencyP99Ms: Double?
    var latencyP999Ms: Double?
    var latencyMaxMs: Double?

    var reconnectSeconds: Double?
    var reconnected: Int?
    /// "password" or "token": what the reconnect storm's logins sent.
    var reconnectAuth: String?

    // The restart scenario (RestartRun): see docs/PERFORMANCE.md for what each means.
    var restartCommand: String?
    var restartExitStatus: Int?
    var restartCommandSeconds: Double?
    var stayedConnected: Int?
    var disconnected: Int?
    /// Of the disconnected: those told so first (KickedMes).
    var kicked: Int?
    /// From the command's start until the last session that stayed connected received a
    /// message sent after the command returned; and the median session's.
    var restartPauseSeconds: Double?
    var restartPauseP50Seconds: Double?
    var notServedAgain: Int?
    var messagesStored: Int?
    var lostStayed: Int?
    var lostReconnected: Int?
    var duplicates: Int?
    var receivedOffline: Int?
    var latencySentBeforeRestart: Percentiles?
    var latencySentDuringRestart: Percentiles?
    var latencySentAfterRestart: Percentiles?

    var notifications: Int?
    /// Messages of an earlier phase that arrived during this one (not counted as deliveries).
    var stale: Int?
    var errors: Int = 0
    var errorDetail: [String: Int] = [:]
    /// Why connects failed, by error: counts alone do not say what to fix.
    var connectErrors: [String: Int]?

    init(scenario: String, servers: [String], sessions: Int, sourceAddresses: Int, benchThreads: Int) {
        self.scenario = scenario
        self.servers = servers
        self.sessions = sessions
        self.sourceAddresses = sourceAddresses
        self.benchThreads = benchThreads
    }

    mutating func add(errors c: Counters) {
        self.errorDetail = [
            "connectFailures": c.connectFailures, "loginFailures": c.loginFailures, "ackFailures": c.ackFailures,
            "errorFrames": c.errorFrames, "unexpectedCloses": c.unexpectedCloses,
        ].filter { $0.value != 0 }
        for (code, count) in c.errorCodes { self.errorDetail["ErrorMes \(code)"] = count }
        for (code, count) in c.loginCodes { self.errorDetail["login \(code)"] = count }
        self.errors = c.errors
        self.notifications = c.notifications
        self.stale = c.stale
    }

    mutating func add(latency: Histogram) {
        guard latency.total > 0 else { return }
        self.latencyP50Ms = Double(latency.value(atQuantile: 0.5)) / 1000
        self.latencyP99Ms = Double(latency.value(atQuantile: 0.99)) / 1000
        self.latencyP999Ms = Double(latency.value(atQuantile: 0.999)) / 1000
        self.latencyMaxMs = Double(latency.maxValue) / 1000
    }

    struct Percentiles: Codable, Sendable {
        var count: UInt64
        var p50Ms: Double
        var p99Ms: Double
        var maxMs: Double

        init?(_ h: Histogram) {
            guard h.total > 0 else { return nil }
            self.count = h.total
            self.p50Ms = Double(h.value(atQuantile: 0.5)) / 1000
            self.p99Ms = Double(h.value(atQuantile: 0.99)) / 1000
            self.maxMs = Double(h.maxValue) / 1000
        }

        var text: String {
            String(format: "p50 %.2f ms, p99 %.2f ms, max %.2f ms (%llu deliveries)", p50Ms, p99Ms, maxMs, count)
        }
    }

    mutating func addLoadAverage() {
        let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)
        self.loadAverage = text.map { $0.split(separator: " ").prefix(3).joined(separator: " ") }
    }

    var jsonLine: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(self)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    var summary: String {
        var lines = [
            "== chat-bench \(self.scenario): \(self.sessions) sessions on \(self.servers.joined(separator: ", ")) (\(self.date))"
        ]
        func f(_ v: Double?, _ digits: Int = 1) -> String { v.map { String(format: "%.\(digits)f", $0) } ?? "-" }
        if let s = self.connectSeconds { lines.append("connect:   \(f(s, 2)) s (\(f(self.connectsPerSecond, 0))/s)") }
        if let s = self.registerSeconds { lines.append("register:  \(f(s, 2)) s") }
        if let s = self.loginSeconds {
            lines.append(
                "login:     \(self.loggedIn ?? 0) in \(f(s, 2)) s = \(f(self.loginsPerSecond, 0)) logins/s (\(self.loginAuth ?? "-"))"
            )
        }
        if let per = self.rssPerSessionBytes, let zero = self.rssAtZeroBytes, let n = self.rssAtNBytes {
            lines.append(
                String(
                    format: "server RSS: %.1f MiB at 0 → %.1f MiB at N = %.2f KiB per session",
                    Double(zero) / 1_048_576,
                    Double(n) / 1_048_576,
                    per / 1024
                )
            )
        }
        if let delivered = self.delivered {
            lines.append(
                "traffic:   \(self.senders ?? 0) senders, \(f(self.offeredRate, 0)) msg/s offered for \(f(self.durationSeconds)) s, "
                    + "\(self.messageBytes ?? 0) B content, \(self.recipientsPerMessage ?? 0) recipients each"
            )
            lines.append(
                "           sent \(self.sent ?? 0) (skipped: socket full or 16 unacked \(self.skippedBackpressure ?? 0)), acked \(self.acked ?? 0)"
            )
            lines.append(
                "           delivered \(delivered)" + (self.expectedDeliveries.map { " of \($0) expected" } ?? "")
                    + (self.deliveriesPerSecond.map { " = \(f($0, 0)) deliveries/s" } ?? "")
            )
            lines.append(
                "latency:   p50 \(f(self.latencyP50Ms, 2)) ms, p99 \(f(self.latencyP99Ms, 2)) ms, p99.9 \(f(self.latencyP999Ms, 2)) ms, max \(f(self.latencyMaxMs, 2)) ms"
            )
        }
        lines += self.restartLines
        if let s = self.reconnectSeconds {
            let of = self.disconnected ?? self.sessions
            let since = self.restartCommand == nil ? "" : " from the restart's start"
            lines.append(
                "reconnect: \(self.reconnected ?? 0) of \(of) back in \(f(s, 2)) s\(since) (\(self.reconnectAuth ?? "-"))"
            )
        }
        if let load = self.loadAverage { lines.append("load avg:  \(load) (1, 5, 15 min)") }
        lines.append(
            "errors:    \(self.errors)" + (self.errorDetail.isEmpty ? "" : " \(self.errorDetail)")
                + (self.notifications.map { ", presence notices received \($0)" } ?? "")
        )
        if let reasons = self.connectErrors { lines.append("connects failed: \(reasons)") }
        return lines.joined(separator: "\n")
    }

    private var restartLines: [String] {
        guard let command = self.restartCommand else { return [] }
        func f(_ v: Double?) -> String { v.map { String(format: "%.3f", $0) } ?? "-" }
        var lines = [
            "restart:   `\(command)` exit \(self.restartExitStatus.map(String.init) ?? "-") after \(f(self.restartCommandSeconds)) s"
        ]
        lines.append(
            "sessions:  \(self.stayedConnected ?? 0) stayed connected, \(self.disconnected ?? 0) disconnected (\(self.kicked ?? 0) with KickedMes)"
        )
        if (self.stayedConnected ?? 0) > 0 {
            lines.append(
                "pause:     \(f(self.restartPauseSeconds)) s (median session \(f(self.restartPauseP50Seconds)) s) from the command's start until "
                    + "every session that stayed got a message sent after it returned; \(self.notServedAgain ?? 0) never did"
            )
        }
        lines.append(
            "messages:  \(self.messagesStored.map(String.init) ?? "-") stored; lost by sessions that stayed \(self.lostStayed.map(String.init) ?? "-"), "
                + "by reconnected ones \(self.lostReconnected.map(String.init) ?? "-") (\(self.receivedOffline ?? 0) came in OfflineMes); "
                + "duplicates \(self.duplicates ?? 0)"
        )
        for (label, p) in [
            ("before", self.latencySentBeforeRestart), ("during", self.latencySentDuringRestart),
            ("after", self.latencySentAfterRestart),
        ] {
            lines.append("delay:     sent \(label) the command: " + (p?.text ?? "none delivered"))
        }
        return lines
    }
}
