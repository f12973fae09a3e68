// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import NIOCore
import NIOPosix
import NIOSSL

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
    /// become `ChatFailure(.unavailable)`. With `tls`, `body` runs once the handshake
    /// has verified the server; a certificate that does not verify is `.untrusted`.
    public static func with<Result: Sendable>(
        _ address: ServerAddress,
        tls: ClientTLS? = nil,
        heartbeat: TimeAmount = Connection.defaultHeartbeat,
        _ body: (NIOAsyncChannelInboundStream<Inbound>, NIOAsyncChannelOutboundWriter<ClientMessage>) async throws ->
            Result
    ) async throws -> Result {
        let context = try tls?.makeContext()
        let channel: Channel
        let handshake: EventLoopFuture<Void>?
        do {
            (channel, handshake) = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelOption(.tcpOption(.tcp_nodelay), value: 1)
                .connectTimeout(.seconds(10))
                .connect(host: address.host, port: address.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        var handshake: EventLoopFuture<Void>?
                        if let tls, let context {
                            let (ssl, waiter) = try tls.handlers(context: context, host: address.host, channel: channel)
                            try channel.pipeline.syncOperations.addHandlers([ssl, waiter])
                            handshake = waiter.promise.futureResult
                        }
                        try channel.pipeline.syncOperations.addHandlers([
                            ByteToMessageHandler(FrameDecoder()),
                            MessageCodec(),
                            IdleStateHandler(writeTimeout: heartbeat),
                            HeartbeatHandler(),
                        ])
                        return (try Channel(wrappingChannelSynchronously: channel), handshake)
                    }
                }
        } catch {
            throw ChatFailure(.unavailable, "cannot connect to \(address): \(describe(error))")
        }
        return try await channel.executeThenClose { inbound, outbound in
            if let tls, let handshake {
                // A server that never answers the handshake is closed like one that never accepts.
                let timeout = channel.channel.eventLoop.scheduleTask(in: .seconds(10)) {
                    channel.channel.close(promise: nil)
                }
                defer { timeout.cancel() }
                do { try await handshake.get() } catch { throw tls.failure(error, server: address) }
            }
            return try await body(inbound, outbound)
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
        // A TLS record (alert 0x15 or handshake 0x16, version 3.x) read as a frame length.
        if case .frameTooLarge(let length, _)? = error as? ProtocolError, [0x15, 0x16].contains(length >> 24),
            (length >> 16) & 0xff == 0x03
        {
            return "the server answered in TLS (its TLS port? then use --tls)"
        }
        return "\(error)"
    }
}
