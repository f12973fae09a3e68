// SPDX-License-Identifier: Apache-2.0

import ChatServer
import ChatStore
import ChatdConfiguration
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import RedisClient
import ServiceLifecycle
import Systemd
import UnixSignals

/// The daemon's own part beside its services (chat, control, Redis): says READY=1 once
/// they all serve, keeps STATUS= current, reloads on SIGHUP, serves metrics, and says
/// STOPPING=1 when the group shuts down. Listed last, it stops first.
final class ChatdService: Service, Sendable {
    let loader: ConfigLoader
    let listeners: Listeners
    let server: ChatServer
    let redis: RedisClient
    let metrics: MetricsEndpoint?
    let loops: [any EventLoop]
    let notifier: SystemdNotifier?
    let readiness: Readiness
    let logger: Logger
    let current: NIOLockedValueBox<ChatdConfig>
    /// Who may use the control socket; re-resolved on reload.
    let adminPolicy: AdminPolicyBox

    init(
        config: ChatdConfig,
        loader: ConfigLoader,
        listeners: Listeners,
        server: ChatServer,
        redis: RedisClient,
        adminPolicy: AdminPolicyBox,
        metrics: MetricsEndpoint?,
        loops: [any EventLoop],
        notifier: SystemdNotifier?,
        readiness: Readiness,
        logger: Logger
    ) {
        self.metrics = metrics
        self.loops = loops
        self.loader = loader
        self.listeners = listeners
        self.server = server
        self.redis = redis
        self.notifier = notifier
        self.readiness = readiness
        self.logger = logger
        self.current = NIOLockedValueBox(config)
        self.adminPolicy = adminPolicy
    }

    func run() async throws {
        // Trapped from the start: an early SIGHUP (a reload while Redis is still awaited)
        // must not end the process; it is applied once chatd serves.
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        var metricsChannel: (any Channel)?
        if let metrics = self.metrics, let source = self.listeners.metrics {
            metricsChannel = try await metrics.listen(source, group: self.server.group)
        }
        let ready = await cancelWhenGracefulShutdown { await self.readiness.wait() } ?? nil
        if var ready {
            ready["socket_activated"] = "\(self.listeners.activated)"
            if let metricsChannel { ready["metrics_listen"] = "\(metricsChannel.localAddress.map { "\($0)" } ?? "?")" }
            self.logger.info("chatd ready", metadata: ready.mapValues { .string($0) })
            self.notifier?.ready()

            await withDiscardingTaskGroup { tasks in
                tasks.addTask { await self.reloadOnHangup(hangups) }
                tasks.addTask { await self.reportStatus() }
                tasks.addTask { await self.watchRedis() }
                if self.metrics != nil {
                    tasks.addTask { await MetricsEndpoint.sample(server: self.server, loops: self.loops) }
                }
                try? await gracefulShutdown()
                tasks.cancelAll()
            }
        }
        self.notifier?.stopping()
        try? await metricsChannel?.close()
    }

    func statusLine() -> String {
        let counts = self.server.hub.counts
        return
            "\(counts.sessions) sessions, \(counts.users) users online, Redis \(self.redis.isHealthy ? "up" : "down")"
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
                self.logger.error(
                    "Redis is down: logins and messages get 503 until it is back",
                    metadata: ["chat_event": "redis_down"]
                )
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
            self.logger.error(
                "reload failed, keeping the running configuration",
                metadata: ["chat_event": "reload", "error": "\(error)"]
            )
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
