// SPDX-License-Identifier: Apache-2.0

import ChatServer
import ChatStore
import ChatdConfiguration
import Foundation
import Logging
import NIOCore
import NIOPosix
import RedisClient
import ServiceLifecycle
import Systemd

/// Wires the pieces together and runs until SIGTERM/SIGINT.
struct Daemon {
    let config: ChatdConfig
    let credentials: Credentials
    let loader: ConfigLoader

    func run() async throws {
        SystemdLogging.bootstrap(identifier: "chatd", level: config.logLevel, destination: config.logTarget.destination)
        let logger = Logger(label: "chatd")
        // Taken first, so a misconfigured unit fails before anything else starts.
        let listeners: Listeners
        do { listeners = try Listeners.resolve(config) } catch {
            logger.critical("unusable sockets from systemd", metadata: ["error": "\(error)"])
            throw error
        }
        // Before anything makes a metric: one made earlier would go nowhere.
        let metrics = listeners.metrics.map { _ in MetricsEndpoint.bootstrap() }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        var redisConfiguration = try config.redis()
        if let password = credentials.redisPassword { redisConfiguration.password = password }
        let redis = RedisClient(
            configuration: redisConfiguration,
            eventLoopGroup: group,
            logger: Logger(label: "chatd.redis")
        )
        let bus = RedisSubscriber(
            configuration: redisConfiguration,
            eventLoopGroup: group,
            logger: Logger(label: "chatd.bus")
        )
        var storeConfiguration = config.store
        storeConfiguration.tokenKey = credentials.tokenKey
        if credentials.tokenKey == nil {
            logger.warning(
                "no token key file: resume tokens are signed with a key kept in Redis, so whoever can read Redis can forge them; set token_key_file or the token-key credential (docs/SECURITY.md)"
            )
        }
        let store = ChatStore(redis: redis, subscriber: bus, configuration: storeConfiguration)
        let readiness = Readiness(parts: ["chat", "control"])
        let server = ChatServer(
            store: store,
            configuration: config.server,
            group: group,
            logger: logger,
            listeners: ChatServer.Listeners(chat: listeners.chat, tls: listeners.tls),
            readiness: readiness,
            handover: Self.handover(listeners.kept, logger: logger)
        )
        let notifier = SystemdNotifier()
        let adminPolicy = AdminPolicyBox(ChatdService.resolveAdminPolicy(config, logger: logger))
        let service = ChatdService(
            config: config,
            loader: loader,
            listeners: listeners,
            server: server,
            redis: redis,
            adminPolicy: adminPolicy,
            metrics: metrics,
            loops: Array(group.makeIterator()),
            notifier: notifier,
            readiness: readiness,
            logger: logger
        )
        let control = ControlServer(
            server: server,
            source: listeners.control,
            socketGroup: AdminPolicy.groupID(config.adminGroup),
            policy: adminPolicy,
            readiness: readiness,
            logger: logger,
            reload: { service.reloadTellingSystemd() }
        )
        // Started together; stopped one at a time from the last: chatd's own part (STOPPING=1),
        // then the chat service (the handover or drain, admins still served), the control
        // socket, Redis, and last the watchdog, so systemd keeps getting pings throughout.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let notifier {
            services.append(.init(service: WatchdogService(loops: Array(group.makeIterator()), notifier: notifier)))
        }
        services.append(.init(service: redis))
        services.append(.init(service: bus))
        services.append(.init(service: control))
        services.append(.init(service: server, successTerminationBehavior: .gracefullyShutdownGroup))
        services.append(.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup))
        let serviceGroup = ServiceGroup(
            configuration: .init(
                services: services,
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await serviceGroup.run()
        await SystemdNotifier.drain()
        try? await group.shutdownGracefully()
    }
}

extension Daemon {
    /// Sessions outlive the process when systemd keeps a store for it (the unit's
    /// `FileDescriptorStoreMax=`); without one, a restart ends them as before.
    static func handover(_ kept: KeptDescriptors, logger: Logger) -> SessionHandover? {
        guard let store = FileDescriptorStore() else {
            if !kept.isEmpty { logger.warning("systemd passed kept sessions but keeps no store now: closing them") }
            for fd in kept.sessions + [kept.table, kept.handover].compactMap({ $0 }) { close(fd) }
            return nil
        }
        do {
            return try SessionHandover(keeper: SystemdKeeper(store: store), passed: kept)
        } catch {
            logger.error("sessions will not outlive a restart", metadata: ["error": "\(error)"])
            return nil
        }
    }
}

/// systemd's store, as the server keeps sessions in it.
struct SystemdKeeper: SocketKeeper {
    let store: FileDescriptorStore

    var capacity: Int { self.store.capacity }
    func store(_ fd: CInt, name: String) -> Bool { self.store.store(fd, name: name) }
    func remove(name: String) -> Bool { self.store.remove(name: name) }
    func makeMemoryFile(name: String) throws -> CInt { try MemoryFile.create(name: name) }
}

extension ChatdConfig.LogTarget {
    var destination: LogDestination {
        switch self {
        case .auto: .auto
        case .journal: .journal
        case .stderr: .stderr
        }
    }
}
