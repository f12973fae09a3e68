// SPDX-License-Identifier: Apache-2.0
import ChatServer
import Metrics
import NIOCore
import NIOPosix
import Prometheus

/// chatd's Prometheus endpoint: the process-wide registry that swift-metrics writes to
/// (bootstrapped once, before anything makes a metric), served over HTTP on the
/// `metrics` socket from systemd or `metrics_listen`. Also samples what only exists
/// as a state (sessions, users, connections) and how late each event loop runs.
struct MetricsEndpoint: Sendable {
    let registry: PrometheusCollectorRegistry

    /// Routes every swift-metrics metric of the process into a new registry.
    static func bootstrap() -> MetricsEndpoint {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return MetricsEndpoint(registry: registry)
    }

    func listen(_ source: ListenerSource, group: any EventLoopGroup) async throws -> any Channel {
        let registry = self.registry
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(MetricsHTTPHandler(registry: registry))
                }
            }
        switch source {
        case .bind(let host, let port): return try await bootstrap.bind(host: host, port: port).get()
        case .adopt(let fd, let backlog): return try await bootstrap.adopt(fd: fd, backlog: backlog)
        }
    }

    /// Every second until cancelled: the gauges, and each loop's lag (the time from
    /// asking a loop to run something to it running: a busy or stalled loop shows here
    /// before the watchdog notices).
    static func sample(server: ChatServer, loops: [any EventLoop]) async {
        let sessions = Gauge(label: "chatd_sessions")
        let users = Gauge(label: "chatd_users_online")
        let connections = Gauge(label: "chatd_connections")
        let lag = Metrics.Timer(label: "chatd_event_loop_lag_seconds", preferredDisplayUnit: .seconds)
        while !Task.isCancelled {
            let counts = server.hub.counts
            sessions.record(counts.sessions)
            users.record(counts.users)
            connections.record(server.connectionCount)
            for loop in loops {
                let asked = NIODeadline.now()
                loop.execute {
                    lag.recordNanoseconds(Int64(NIODeadline.now().uptimeNanoseconds - asked.uptimeNanoseconds))
                }
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }
}
