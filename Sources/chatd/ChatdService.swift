// SPDX-License-Identifier: Apache-2.0
import ChatServer
import ChatStore
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import RedisClient
import ServiceLifecycle
import Systemd
import UnixSignals

/// The daemon's lifetime: wait for Redis, serve, keep systemd told, reload on SIGHUP,
/// drain on shutdown.
final class ChatdService: Service, Sendable {
    let loader: ConfigLoader
    let listeners: Listeners
    let server: ChatServer
    let redis: RedisClient
    let bus: RedisSubscriber
    let metrics: MetricsEndpoint?
    let loops: [any EventLoop]
    let notifier: SystemdNotifier?
    let logger: Logger
    let current: NIOLockedValueBox<ChatdConfig>
    /// Who may use the control socket; re-resolved on reload.
    let adminPolicy: AdminPolicyBox

    init(config: ChatdConfig, loader: ConfigLoader, listeners: Listeners, server: ChatServer, redis: RedisClient,
         bus: RedisSubscriber, metrics: MetricsEndpoint?, loops: [any EventLoop], notifier: SystemdNotifier?, logger: Logger) {
        self.bus = bus
        self.metrics = metrics
        self.loops = loops
        self.loader = loader
        self.listeners = listeners
        self.server = server
        self.redis = redis
        self.notifier = notifier
        self.logger = logger
        self.current = NIOLockedValueBox(config)
        self.adminPolicy = AdminPolicyBox(Self.resolveAdminPolicy(config, logger: logger))
    }

    func run() async throws {
        // Trapped from the start: an early SIGHUP (a reload while Redis is still awaited)
        // must not end the process; it is applied once chatd serves.
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        try await cancelWhenGracefulShutdown { try await self.waitForRedis() }
        guard !Task.isCancelled else { return }
        // Hear the other nodes (if any) before serving anyone.
        let cluster = try await self.server.joinCluster()
        // The previous process's users, before anyone new: they never left.
        let adoption = await self.server.adopt()
        if adoption.total > 0 {
            self.logger.notice("sessions taken over from the previous process", metadata: [
                "chat_event": "handover", "resumed": "\(adoption.resumed)", "rechecked": "\(adoption.rechecked)",
                "closed": "\(adoption.closed)",
            ])
        }
        let chat = try await self.server.listen(self.listeners.chat)
        var tls: (any Channel)?
        if let listener = self.listeners.tls {
            tls = try await self.server.listen(listener.source, tls: listener.context)
        }
        let config = self.current.withLockedValue { $0 }
        let control = try await ControlServer(server: self.server, policy: self.adminPolicy, logger: self.logger,
                                              reload: { self.reloadTellingSystemd() })
            .listen(self.listeners.control, group: AdminPolicy.groupID(config.adminGroup))
        var metricsChannel: (any Channel)?
        if let metrics = self.metrics, let source = self.listeners.metrics {
            metricsChannel = try await metrics.listen(source, group: self.server.group)
        }
        var ready: Logger.Metadata = [
            "chat_listen": "\(chat.localAddress.map { "\($0)" } ?? "?")",
            "socket_activated": "\(self.listeners.activated)",
        ]
        if let tls { ready["tls_listen"] = "\(tls.localAddress.map { "\($0)" } ?? "?")" }
        if let metricsChannel { ready["metrics_listen"] = "\(metricsChannel.localAddress.map { "\($0)" } ?? "?")" }
        await self.server.advertise(address: chat.localAddress.map { "\($0.ipAddress ?? "?"):\($0.port ?? 0)" } ?? "?")
        self.logger.info("chatd ready", metadata: ready)
        self.notifier?.ready()

        await withDiscardingTaskGroup { tasks in
            tasks.addTask { await self.reloadOnHangup(hangups) }
            tasks.addTask { await self.reportStatus() }
            tasks.addTask { await self.watchRedis() }
            tasks.addTask { await cluster() }
            if self.metrics != nil {
                tasks.addTask { await MetricsEndpoint.sample(server: self.server, loops: self.loops) }
            }
            try? await gracefulShutdown()
            // Before the cluster task ends: a node that hands over does not leave.
            if self.server.canHandOver { self.server.beginHandover() }
            tasks.cancelAll()
        }

        self.notifier?.stopping()
        try? await chat.close()
        try? await tls?.close()
        if self.server.canHandOver {
            // Every stop hands over: systemd keeps the sockets for a restart and closes
            // them when the service stays stopped.
            self.logger.info("shutting down: handing sessions over")
            let summary = await self.server.handOver()
            self.logger.notice("sessions handed over", metadata: [
                "chat_event": "handover", "kept": "\(summary.kept)", "closed": "\(summary.closed)",
            ])
        } else {
            self.logger.info("shutting down: draining sessions")
            let deadline = NIODeadline.now() + .seconds(Int64(self.current.withLockedValue { $0.shutdownTimeout }))
            await self.server.drain(deadline: deadline)
        }
        try? await control.close()
        try? await metricsChannel?.close()
        await self.bus.shutdown()
        await self.redis.shutdown()
        self.logger.info("chatd stopped")
    }

    /// Serving without a store would refuse every login: READY waits until Redis answers.
    private func waitForRedis() async throws {
        var delay = Duration.milliseconds(100)
        var warned = false
        while true {
            do {
                try await self.server.store.ping()
                if warned { self.logger.info("Redis answered") }
                return
            } catch {
                if !warned {
                    self.logger.warning("waiting for Redis", metadata: ["error": "\(error)"])
                    self.notifier?.status("waiting for Redis")
                    warned = true
                }
            }
            try await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(5))
        }
    }

    func statusLine() -> String {
        let counts = self.server.hub.counts
        return "\(counts.sessions) sessions, \(counts.users) users online, Redis \(self.redis.isHealthy ? "up" : "down")"
    }

    /// STATUS= kept current: sent when it changes, checked every second.
    private func reportStatus() async {
        guard let notifier = self.notifier else { return }
        var last = ""
        while !Task.isCancelled {
            let line = self.statusLine()
            if line != last {
                notifier.status(line)
                last = line
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    /// Redis going away and coming back, in the journal (STATUS= follows by itself).
    private func watchRedis() async {
        var wasUp = true
        for await state in self.redis.stateChanges() {
            switch state {
            case .down where wasUp:
                self.logger.error("Redis is down: logins and messages get 503 until it is back", metadata: ["chat_event": "redis_down"])
                wasUp = false
            case .up where !wasUp:
                self.logger.notice("Redis is back", metadata: ["chat_event": "redis_up"])
                wasUp = true
            default:
                break
            }
        }
    }

    private func reloadOnHangup(_ hangups: UnixSignalsSequence) async {
        for await _ in hangups {
            self.reloadTellingSystemd()
        }
    }

    /// A reload from SIGHUP or from `chatctl reload`, bracketed by RELOADING=1 … READY=1.
    @discardableResult
    func reloadTellingSystemd() -> ReloadOutcome {
        self.notifier?.reloading()
        defer { self.notifier?.ready() }
        return self.reload()
    }

    /// Re-reads the config; applies what can change live, reports what cannot, and
    /// keeps running unchanged when the file is broken.
    @discardableResult
    func reload() -> ReloadOutcome {
        let old = self.current.withLockedValue { $0 }
        let new: ChatdConfig
        do {
            new = try self.loader.load()
        } catch {
            self.logger.error("reload failed, keeping the running configuration", metadata: ["chat_event": "reload", "error": "\(error)"])
            return ReloadOutcome(error: "\(error)")
        }
        let ignored = new.restartOnlyChanges(from: old)
        self.current.withLockedValue { $0 = new }
        self.server.configuration.current = new.server
        SystemdLogging.sharedLevel.level = new.logLevel
        self.adminPolicy.current = Self.resolveAdminPolicy(new, logger: self.logger)
        var metadata: Logger.Metadata = ["chat_event": "reload"]
        if !ignored.isEmpty {
            metadata["needs_restart"] = .string(ignored.map(\.rawValue).joined(separator: ","))
        }
        self.logger.notice("configuration reloaded", metadata: metadata)
        return ReloadOutcome(needsRestart: ignored.map(\.rawValue))
    }

    /// admin_group and admin_users as uids and gids; what does not resolve admits no one.
    static func resolveAdminPolicy(_ config: ChatdConfig, logger: Logger) -> AdminPolicy {
        let (policy, warnings) = AdminPolicy.resolve(group: config.adminGroup, users: config.adminUsers)
        for warning in warnings {
            logger.warning("\(warning)", metadata: ["chat_event": "admin_policy"])
        }
        return policy
    }
}
