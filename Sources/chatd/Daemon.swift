import ChatServer
import ChatStore
import Foundation
import Logging
import NIOCore
import NIOPosix
import RedisClient
import ServiceLifecycle
import UnixSignals

/// Wires the pieces together and runs until SIGTERM/SIGINT.
struct Daemon {
    let config: ChatdConfig
    let loader: ConfigLoader

    func run() async throws {
        let logging = LoggingSetup.bootstrap(config)
        let logger = Logger(label: "chatd")
        let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        let redis = RedisClient(configuration: try config.redis(), eventLoopGroup: group, logger: Logger(label: "chatd.redis"))
        let store = ChatStore(redis: redis, configuration: config.store)
        let server = ChatServer(store: store, configuration: config.server, group: group, logger: logger)
        let service = ChatdService(config: config, loader: loader, server: server, redis: redis, group: group,
                                   logging: logging, logger: logger)
        let serviceGroup = ServiceGroup(configuration: .init(
            services: [.init(service: service)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await serviceGroup.run()
        try? await group.shutdownGracefully()
    }
}
