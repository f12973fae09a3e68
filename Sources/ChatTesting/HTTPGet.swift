// SPDX-License-Identifier: Apache-2.0
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// One plain HTTP/1.0 GET on loopback, read until the server closes: enough to scrape
/// chatd's metrics endpoint without an HTTP client library.
public enum HTTPGet {
    public struct Response: Sendable {
        public var status: Int
        public var body: String
    }

    public static func fetch(port: Int, path: String, method: String = "GET") async throws -> Response {
        let received = NIOLockedValueBox(ByteBuffer())
        let closed = MultiThreadedEventLoopGroup.singleton.any().makePromise(of: Void.self)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Collector(received: received, closed: closed))
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        var request = ByteBuffer()
        request.writeString("\(method) \(path) HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        try await channel.writeAndFlush(request)
        try await closed.futureResult.get()
        let text = received.withLockedValue { String(buffer: $0) }
        guard let statusLine = text.split(separator: "\r\n", maxSplits: 1).first,
            let status = Int(statusLine.split(separator: " ").dropFirst().first ?? ""),
            let headerEnd = text.range(of: "\r\n\r\n")
        else { throw TestProcessError.notReady(output: "not an HTTP response: \(text)") }
        return Response(status: status, body: String(text[headerEnd.upperBound...]))
    }

    private final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let received: NIOLockedValueBox<ByteBuffer>
        let closed: EventLoopPromise<Void>

        init(received: NIOLockedValueBox<ByteBuffer>, closed: EventLoopPromise<Void>) {
            self.received = received
            self.closed = closed
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var bytes = Self.unwrapInboundIn(data)
            self.received.withLockedValue { _ = $0.writeBuffer(&bytes) }
        }

        func channelInactive(context: ChannelHandlerContext) {
            self.closed.succeed(())
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            self.closed.fail(error)
            context.close(promise: nil)
        }
    }
}
