// SPDX-License-Identifier: Apache-2.0
import Metrics

/// What an operator wants to see of Redis: how long commands take and how they fail.
/// Made through swift-metrics, so they go wherever the process bootstrapped it
/// (chatd: Prometheus) and nowhere otherwise.
struct RedisMetrics: Sendable {
    /// Pub/sub messages read, and those a listener lost by falling too far behind.
    static let pubsubReceived = Counter(label: "redis_pubsub_messages_total")
    static let pubsubDropped = Counter(label: "redis_pubsub_dropped_total")

    let duration = Metrics.Timer(label: "redis_command_duration_seconds", preferredDisplayUnit: .seconds)
    private let errors: [String: Counter]

    init() {
        var errors: [String: Counter] = [:]
        for kind in ["connection", "timeout", "server", "protocol", "other"] {
            errors[kind] = Counter(label: "redis_command_errors_total", dimensions: [("error", kind)])
        }
        self.errors = errors
    }

    func failed(_ error: RedisError) {
        let kind: String
        switch error {
        case .connectionFailed, .connectionClosed, .shutDown: kind = "connection"
        case .timeout: kind = "timeout"
        case .server, .clusterUnavailable: kind = "server"
        case .protocolViolation: kind = "protocol"
        case .invalidURL, .unexpectedReply, .invalidSlotMap: kind = "other"
        }
        self.errors[kind]?.increment()
    }
}
