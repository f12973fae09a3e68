import ChatServer
import ChatStore
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import RedisClient
import ServiceLifecycle
import UnixSignals

/// The daemon's lifetime: wait for Redis, serve, reload on SIGHUP, drain on shutdown.
final class ChatdService: Service, Sendable {
    let config: ChatdConfig
    let loader: ConfigLoader
    let server: ChatServer
    let redis: RedisClient
    let group: any EventLoopGroup
    let logging: LoggingSetup
    let logger: Logger
    let current: ConfigHolder
    /// Who may use the control socket; re-resolved on reload.
    let adminPolicy: AdminPolicyBox

    init(config: ChatdConfig, loader: ConfigLoader, server: ChatServer, redis: RedisClient, group: any EventLoopGroup,
         logging: LoggingSetup, logger: Logger) {
        self.config = config
        self.loader = loader
        self.server = server
        self.redis = redis
        self.group = group
        self.logging = logging
        self.logger = logger
        self.current = ConfigHolder(config)
        self.adminPolicy = AdminPolicyBox(Self.resolveAdminPolicy(config, logger: logger))
    }

    func run() async throws {
        try await self.waitForRedis()
        let chat = try await self.server.listen(.bind(host: config.listen.host, port: config.listen.port))
        let control = try await ControlServer(server: self.server, policy: self.adminPolicy, logger: self.logger,
                                              reload: { self.reload() })
            .listen(.bind(path: config.controlSocket), group: AdminPolicy.groupID(config.adminGroup))
        self.logger.info("chatd ready", metadata: [
            "chat_listen": "\(chat.localAddress.map { "\($0)" } ?? "?")",
            "control_socket": "\(config.controlSocket)",
        ])

        await withDiscardingTaskGroup { tasks in
            tasks.addTask { await self.reloadOnHangup() }
            try? await gracefulShutdown()
            tasks.cancelAll()
        }

        self.logger.info("shutting down: draining sessions")
        try? await chat.close()
        let deadline = NIODeadline.now() + .seconds(Int64(self.current.value.shutdownTimeout))
        await self.server.drain(deadline: deadline)
        try? await control.close()
        await self.redis.shutdown()
        self.logger.info("chatd stopped")
    }

    /// Serving without a store would refuse every login: wait until Redis answers.
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
                    warned = true
                }
            }
            try await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(5))
        }
    }

    private func reloadOnHangup() async {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        for await _ in hangups {
            self.reload()
        }
    }

    /// Re-reads the config; applies what can change live, reports what cannot, and
    /// keeps running unchanged when the file is broken.
    @discardableResult
    func reload() -> ReloadOutcome {
        let old = self.current.value
        let new: ChatdConfig
        do {
            new = try self.loader.load()
        } catch {
            self.logger.error("reload failed, keeping the running configuration", metadata: ["chat_event": "reload", "error": "\(error)"])
            return ReloadOutcome(error: "\(error)")
        }
        let ignored = new.restartOnlyChanges(from: old)
        self.current.value = new
        self.server.configuration.current = new.server
        self.logging.setLevel(new.logLevel)
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

final class ConfigHolder: Sendable {
    private let box: NIOLockedValueBox<ChatdConfig>
    init(_ config: ChatdConfig) { self.box = NIOLockedValueBox(config) }
    var value: ChatdConfig {
        get { box.withLockedValue { $0 } }
        set { box.withLockedValue { $0 = newValue } }
    }
}
