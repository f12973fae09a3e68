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
        var lines = ["== chat-bench \(self.scenario): \(self.sessions) sessions on \(self.servers.joined(separator: ", ")) (\(self.date))"]
        func f(_ v: Double?, _ digits: Int = 1) -> String { v.map { String(format: "%.\(digits)f", $0) } ?? "-" }
        if let s = self.connectSeconds { lines.append("connect:   \(f(s, 2)) s (\(f(self.connectsPerSecond, 0))/s)") }
        if let s = self.registerSeconds { lines.append("register:  \(f(s, 2)) s") }
        if let s = self.loginSeconds {
            lines.append("login:     \(self.loggedIn ?? 0) in \(f(s, 2)) s = \(f(self.loginsPerSecond, 0)) logins/s (\(self.loginAuth ?? "-"))")
        }
        if let per = self.rssPerSessionBytes, let zero = self.rssAtZeroBytes, let n = self.rssAtNBytes {
            lines.append(String(format: "server RSS: %.1f MiB at 0 → %.1f MiB at N = %.2f KiB per session",
                                Double(zero) / 1048576, Double(n) / 1048576, per / 1024))
        }
        if let delivered = self.delivered {
            lines.append("traffic:   \(self.senders ?? 0) senders, \(f(self.offeredRate, 0)) msg/s offered for \(f(self.durationSeconds)) s, "
                + "\(self.messageBytes ?? 0) B content, \(self.recipientsPerMessage ?? 0) recipients each")
            lines.append("           sent \(self.sent ?? 0) (skipped: socket full or 16 unacked \(self.skippedBackpressure ?? 0)), acked \(self.acked ?? 0)")
            lines.append("           delivered \(delivered) of \(self.expectedDeliveries ?? 0) expected = \(f(self.deliveriesPerSecond, 0)) deliveries/s")
            lines.append("latency:   p50 \(f(self.latencyP50Ms, 2)) ms, p99 \(f(self.latencyP99Ms, 2)) ms, p99.9 \(f(self.latencyP999Ms, 2)) ms, max \(f(self.latencyMaxMs, 2)) ms")
        }
        if let s = self.reconnectSeconds {
            lines.append("reconnect: \(self.reconnected ?? 0) of \(self.sessions) back in \(f(s, 2)) s (\(self.reconnectAuth ?? "-"))")
        }
        if let load = self.loadAverage { lines.append("load avg:  \(load) (1, 5, 15 min)") }
        lines.append("errors:    \(self.errors)" + (self.errorDetail.isEmpty ? "" : " \(self.errorDetail)")
                     + (self.notifications.map { ", presence notices received \($0)" } ?? ""))
        if let reasons = self.connectErrors { lines.append("connects failed: \(reasons)") }
        return lines.joined(separator: "\n")
    }
}
