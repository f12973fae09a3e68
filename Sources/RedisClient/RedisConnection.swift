// SPDX-License-Identifier: Apache-2.0
import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// One TCP connection to Redis. Many commands may be in flight at once (pipelining);
/// replies complete them in order.
final class RedisConnection: Sendable {
    let channel: Channel

    private init(channel: Channel) {
        self.channel = channel
    }

    var closeFuture: EventLoopFuture<Void> { self.channel.closeFuture }
    var isActive: Bool { self.channel.isActive }

    /// Connects, then authenticates and selects the database if configured.
    static func connect(
        configuration: RedisConfiguration,
        eventLoop: EventLoop,
        logger: Logger,
        onPush: (@Sendable (RESPValue) -> Void)? = nil
    ) -> EventLoopFuture<RedisConnection> {
        let target = configuration.unixSocketPath ?? "\(configuration.host):\(configuration.port)"
        // Made here, not in the channel initializer: a bad certificate file is a failed
        // connect with its reason, and made per connection (connects are rare: a pool of
        // a few, and reconnects), so a renewed file is picked up by the next one.
        let tls: TLSClient?
        do {
            tls = try configuration.tls.map { settings in
                // A name is checked as the certificate gives it; an address against its IP SANs.
                TLSClient(
                    context: try Self.context(settings),
                    serverName: Self.isHostName(configuration.host) ? configuration.host : nil
                )
            }
        } catch {
            return eventLoop.makeFailedFuture(RedisError.connectionFailed("\(target): TLS: \(error)"))
        }
        let channel: EventLoopFuture<any Channel>
        if let path = configuration.unixSocketPath {
            channel = Self.bootstrap(configuration, tls: tls, eventLoop: eventLoop, onPush: onPush, logger: logger)
                .connect(unixDomainSocketPath: path)
        } else {
            channel = Self.bootstrap(configuration, tls: tls, eventLoop: eventLoop, onPush: onPush, logger: logger)
                .connect(host: configuration.host, port: configuration.port)
        }
        return
            channel
            .flatMapErrorThrowing { error in
                throw RedisError.connectionFailed("\(target): \(error)")
            }
            .flatMap { channel in
                let connection = RedisConnection(channel: channel)
                return connection.handshake(configuration).map { connection }.flatMapError { error in
                    channel.close(promise: nil)
                    return eventLoop.makeFailedFuture(error)
                }
            }
    }

    private struct TLSClient: Sendable {
        var context: NIOSSLContext
        var serverName: String?
    }

    private static func bootstrap(
        _ configuration: RedisConfiguration,
        tls: TLSClient?,
        eventLoop: any EventLoop,
        onPush: (@Sendable (RESPValue) -> Void)?,
        logger: Logger
    ) -> ClientBootstrap {
        var bootstrap = ClientBootstrap(group: eventLoop).connectTimeout(configuration.connectTimeout)
        if configuration.unixSocketPath == nil {
            bootstrap =
                bootstrap
                .channelOption(ChannelOptions.tcpOption(.tcp_nodelay), value: 1)
                .channelOption(ChannelOptions.socketOption(.so_keepalive), value: 1)
        }
        let commandTimeout = configuration.commandTimeout
        return bootstrap.channelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                let sync = channel.pipeline.syncOperations
                if let tls {
                    try sync.addHandler(try NIOSSLClientHandler(context: tls.context, serverHostname: tls.serverName))
                }
                try sync.addHandler(ByteToMessageHandler(RESPDecoder(parser: RESPParser())))
                try sync.addHandler(RedisCommandHandler(commandTimeout: commandTimeout, onPush: onPush, logger: logger))
            }
        }
    }

    private static func isHostName(_ host: String) -> Bool {
        !host.contains(":") && host.unicodeScalars.contains { ("a"..."z").contains($0) || ("A"..."Z").contains($0) }
    }

    private static func context(_ settings: RedisTLS) throws -> NIOSSLContext {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let ca = settings.caFile {
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(ca))
        }
        if let certificate = settings.certificateFile, let key = settings.keyFile {
            tls.certificateChain = try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) }
            tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
        }
        return try NIOSSLContext(configuration: tls)
    }

    private func handshake(_ configuration: RedisConfiguration) -> EventLoopFuture<Void> {
        var commands: [[String]] = []
        if let password = configuration.password {
            commands.append(["AUTH"] + (configuration.username.map { [$0] } ?? []) + [password])
        }
        if let database = configuration.database {
            commands.append(["SELECT", String(database)])
        }
        guard !commands.isEmpty else { return self.channel.eventLoop.makeSucceededVoidFuture() }
        var payload = self.channel.allocator.buffer(capacity: 64)
        for command in commands { RESPEncoder.writeCommand(command, into: &payload) }
        let replies = self.write(payload, replies: commands.count)
        // Only the command name goes into errors: AUTH arguments are secrets.
        let names = commands.map { $0[0] }
        return EventLoopFuture.whenAllComplete(replies, on: self.channel.eventLoop).flatMapThrowing { results in
            for (name, result) in zip(names, results) {
                switch result {
                case .success(.error(let message)):
                    throw RedisError.connectionFailed("\(name) failed: \(message)")
                case .success:
                    continue
                case .failure(let error):
                    throw RedisError.connectionFailed("\(name) failed: \(error)")
                }
            }
        }
    }

    /// Writes already-encoded commands with a single flush and returns one future per reply.
    func write(_ payload: ByteBuffer, replies: Int) -> [EventLoopFuture<RESPValue>] {
        let eventLoop = self.channel.eventLoop
        let promises = (0..<replies).map { _ in eventLoop.makePromise(of: RESPValue.self) }
        let written = eventLoop.makePromise(of: Void.self)
        // If the write never reaches our handler (channel already closed), nobody else fails these.
        written.futureResult.whenFailure { _ in
            for promise in promises { promise.fail(RedisError.connectionClosed) }
        }
        self.channel.writeAndFlush(RedisRequest(payload: payload, promises: promises), promise: written)
        return promises.map { $0.futureResult }
    }

    func close() -> EventLoopFuture<Void> {
        self.channel.close().recover { _ in }
    }
}
