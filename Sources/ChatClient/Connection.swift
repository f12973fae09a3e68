import ChatProtocol
import NIOCore
import NIOPosix
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A connection to chatd, open for the duration of `Connection.with`.
public enum Connection {
    public typealias Channel = NIOAsyncChannel<Inbound, ClientMessage>

    /// The client sends a `PingMes` after this long without writing.
    public static let defaultHeartbeat = TimeAmount.seconds(60)

    /// Connects, runs `body` with the message streams, closes. Connection failures
    /// become `ChatFailure(.unavailable)`.
    public static func with<Result: Sendable>(
        _ address: ServerAddress,
        heartbeat: TimeAmount = Connection.defaultHeartbeat,
        _ body: (NIOAsyncChannelInboundStream<Inbound>, NIOAsyncChannelOutboundWriter<ClientMessage>) async throws -> Result
    ) async throws -> Result {
        let channel: Channel
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connectTimeout(.seconds(10))
                .connect(host: address.host, port: address.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandlers([
                            ByteToMessageHandler(FrameDecoder()),
                            MessageCodec(),
                            IdleStateHandler(writeTimeout: heartbeat),
                            HeartbeatHandler(),
                        ])
                        return try Channel(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw ChatFailure(.unavailable, "cannot connect to \(address): \(describe(error))")
        }
        return try await channel.executeThenClose { inbound, outbound in
            try await body(inbound, outbound)
        }
    }

    /// A short reason for a network error, without type names or stack traces.
    static func describe(_ error: any Error) -> String {
        if let io = error as? IOError { return String(cString: strerror(io.errnoCode)).lowercased() }
        if let connect = error as? NIOConnectionError {
            if let first = connect.connectionErrors.first { return describe(first.error) }
            return connect.dnsAAAAError.map(describe) ?? connect.dnsAError.map(describe) ?? "no address"
        }
        if error is ChannelError { return "\(error)" }
        return "\(error)"
    }
}
