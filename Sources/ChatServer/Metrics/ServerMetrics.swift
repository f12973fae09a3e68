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

    /// What a fan-out carried.
    enum Delivery: String, CaseIterable {
        case group, `private`, presence
    }

    /// Why a connection was refused before it became a session.
    enum Refusal: String, CaseIterable {
        case serverFull = "server_full"
        case perAddress = "per_address"
    }

    /// How a session of the previous process was taken over at start (the fd store).
    enum Takeover: String, CaseIterable {
        case resumed, rechecked, closed
    }

    // Keyed by the enums, not their names: a frame's counter is found without hashing a string.
    static let logins = counters("chatd_logins_total", "result", Outcome.self)
    static let registrations = counters("chatd_registrations_total", "result", Outcome.self)
    /// Frames received, by message type.
    static let messagesIn = counters("chatd_messages_received_total", "type", MessageType.self)
    /// Frames written to sessions by fan-out, by what they carry.
    static let deliveries = counters("chatd_deliveries_total", "kind", Delivery.self)
    static let bytesIn = Counter(label: "chatd_bytes_received_total")
    static let bytesOut = Counter(label: "chatd_bytes_sent_total")
    static let slowConsumerKicks = Counter(label: "chatd_slow_consumer_kicks_total")
    static let refusedConnections = counters("chatd_connections_refused_total", "reason", Refusal.self)
    static let takenOver = counters("chatd_sessions_taken_over_total", "how", Takeover.self)

    static func login(_ outcome: Outcome) { logins[outcome]?.increment() }
    static func registration(_ outcome: Outcome) { registrations[outcome]?.increment() }
    static func received(_ type: MessageType) { messagesIn[type]?.increment() }
    static func refused(_ reason: Refusal) { refusedConnections[reason]?.increment() }
    static func tookOver(_ summary: ChatServer.AdoptionSummary) {
        for (how, count) in [
            (Takeover.resumed, summary.resumed), (.rechecked, summary.rechecked), (.closed, summary.closed),
        ] where count > 0 {
            takenOver[how]?.increment(by: Int64(count))
        }
    }
    static func delivered(_ count: Int, _ kind: Delivery) {
        if count > 0 { deliveries[kind]?.increment(by: Int64(count)) }
    }

    /// One counter per value of a label, made up front: no dictionary of handles grows.
    private static func counters<Value: CaseIterable & RawRepresentable & Hashable>(
        _ label: String,
        _ dimension: String,
        _: Value.Type
    ) -> [Value: Counter] where Value.RawValue == String {
        Dictionary(
            uniqueKeysWithValues: Value.allCases.map {
                ($0, Counter(label: label, dimensions: [(dimension, $0.rawValue)]))
            }
        )
    }
}
