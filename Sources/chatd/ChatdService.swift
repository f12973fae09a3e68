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
    let notifier: SystemdNotifier?
    let logger: Logger
    let current: NIOLockedValueBox<ChatdConfig>

    init(config: ChatdConfig, loader: ConfigLoader, listeners: Listeners, server: ChatServer, redis: RedisClient,
         notifier: SystemdNotifier?, logger: Logger) {
        self.loader = loader
        self.listeners = listeners
        self.server = server
        self.redis = redis
        self.notifier = notifier
        self.logger = logger
        self.current = NIOLockedValueBox(config)
    }

    func run() async throws {
        try await cancelWhenGracefulShutdown { try await self.waitForRedis() }
        guard !Task.isCancelled else { return }
        let chat = try await self.server.listen(self.listeners.chat)
        let control = try await ControlServer(server: self.server, logger: self.logger).listen(self.listeners.control)
        self.logger.info("chatd ready", metadata: [
            "chat_listen": "\(chat.localAddress.map { "\($0)" } ?? "?")",
            "socket_activated": "\(self.listeners.activated)",
        ])
        self.notifier?.ready()

        await withDiscardingTaskGroup { tasks in
            tasks.addTask { await self.reloadOnHangup() }
            tasks.addTask { await self.reportStatus() }
            try? await gracefulShutdown()
            tasks.cancelAll()
        }

        self.notifier?.stopping()
        self.logger.info("shutting down: draining sessions")
        try? await chat.close()
        let deadline = NIODeadline.now() + .seconds(Int64(self.current.withLockedValue { $0.shutdownTimeout }))
        await self.server.drain(deadline: deadline)
        try? await control.close()
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

    private func reloadOnHangup() async {
        for await _ in await UnixSignalsSequence(trapping: .sighup) {
            self.notifier?.reloading()
            self.reload()
            self.notifier?.ready()
        }
    }

    /// Re-reads the config; applies what can change live, reports what cannot, and
    /// keeps running unchanged when the file is broken.
    func reload() {
        let old = self.current.withLockedValue { $0 }
        let new: ChatdConfig
        do {
            new = try self.loader.load()
        } catch {
            self.logger.error("reload failed, keeping the running configuration", metadata: ["chat_event": "reload", "error": "\(error)"])
            return
        }
        let ignored = new.restartOnlyChanges(from: old)
        self.current.withLockedValue { $0 = new }
        self.server.configuration.current = new.server
        SystemdLogging.sharedLevel.level = new.logLevel
        var metadata: Logger.Metadata = ["chat_event": "reload"]
        if !ignored.isEmpty {
            metadata["needs_restart"] = .string(ignored.map(\.rawValue).joined(separator: ","))
        }
        self.logger.notice("configuration reloaded", metadata: metadata)
    }
}
