// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import Metrics

/// The chat server's counters, through swift-metrics: chatd bootstraps Prometheus
/// before anything here is first touched (these are lazily made statics), and in
/// tests or tools without a bootstrap they cost nothing.
enum ServerMetrics {
    /// How a login or registration ended.
    enum Outcome: String, CaseIterable {
        case ok, failed, throttled, busy, unavailable
    }

    static let logins = counters("chatd_logins_total", "result", Outcome.allCases.map(\.rawValue))
    static let registrations = counters("chatd_registrations_total", "result", Outcome.allCases.map(\.rawValue))
    /// Frames received, by message type.
    static let messagesIn = counters("chatd_messages_received_total", "type", MessageType.allCases.map(\.rawValue))
    /// Frames written to sessions by fan-out, by what they carry.
    static let deliveries = counters("chatd_deliveries_total", "kind", ["group", "private", "presence"])
    static let bytesIn = Counter(label: "chatd_bytes_received_total")
    static let bytesOut = Counter(label: "chatd_bytes_sent_total")
    static let slowConsumerKicks = Counter(label: "chatd_slow_consumer_kicks_total")
    static let refusedConnections = counters("chatd_connections_refused_total", "reason", ["server_full", "per_address"])

    static func login(_ outcome: Outcome) { logins[outcome.rawValue]?.increment() }
    static func registration(_ outcome: Outcome) { registrations[outcome.rawValue]?.increment() }
    static func received(_ type: MessageType) { messagesIn[type.rawValue]?.increment() }
    static func delivered(_ count: Int, kind: String) {
        if count > 0 { deliveries[kind]?.increment(by: Int64(count)) }
    }

    /// One counter per value of a label, made up front: no dictionary of handles grows.
    private static func counters(_ label: String, _ dimension: String, _ values: [String]) -> [String: Counter] {
        Dictionary(uniqueKeysWithValues: values.map { ($0, Counter(label: label, dimensions: [(dimension, $0)])) })
    }
}
