// SPDX-License-Identifier: Apache-2.0
import NIOCore
import NIOPosix

/// Speaks raw lines to the control socket: for junk, half requests and hang-ups.
struct RawControlConnection: Sendable {
    let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>

    static func connect(_ path: String) async throws -> RawControlConnection {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(unixDomainSocketPath: path) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(Lines()))
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return RawControlConnection(channel: channel)
    }

    /// Sends `text` as is (add the newline yourself), then reads `count` lines.
    func exchange(_ text: String, replies count: Int) async throws -> [String] {
        try await self.channel.executeThenClose { inbound, outbound in
            // A refused connection may be closed before anything is written: what chatd
            // sent before closing is still there to read.
            if !text.isEmpty { try? await outbound.write(ByteBuffer(string: text)) }
            var lines: [String] = []
            for try await line in inbound {
                lines.append(String(buffer: line))
                if lines.count == count { break }
            }
            return lines
        }
    }

    /// Sends `text` and hangs up without reading.
    func sendAndHangUp(_ text: String) async throws {
        try await self.channel.executeThenClose { _, outbound in
            try await outbound.write(ByteBuffer(string: text))
        }
    }

    /// Sends `text`, then reads until chatd closes; returns every line.
    func sendUntilClosed(_ text: String) async throws -> [String] {
        try await self.channel.executeThenClose { inbound, outbound in
            // A refused connection may be closed before anything is written: what chatd
            // sent before closing is still there to read.
            if !text.isEmpty { try? await outbound.write(ByteBuffer(string: text)) }
            var lines: [String] = []
            for try await line in inbound { lines.append(String(buffer: line)) }
            return lines
        }
    }
}

struct Lines: NIOSingleStepByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    mutating func decode(buffer: inout ByteBuffer) throws -> ByteBuffer? {
        guard let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        let line = buffer.readSlice(length: newline - buffer.readerIndex)
        buffer.moveReaderIndex(forwardBy: 1)
        return line
    }

    mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> ByteBuffer? {
        try self.decode(buffer: &buffer)
    }
}

/// A control connection kept open across requests, read line by line: for limits that
/// only show while connections stay open.
struct HeldControlConnection {
    let channel: any Channel
    private var lines: AsyncStream<String>.AsyncIterator

    static func connect(_ path: String) async throws -> HeldControlConnection {
        let (stream, continuation) = AsyncStream.makeStream(of: String.self)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(Lines()))
                    try channel.pipeline.syncOperations.addHandler(LineSink(continuation: continuation))
                }
            }
            .connect(unixDomainSocketPath: path).get()
        return HeldControlConnection(channel: channel, lines: stream.makeAsyncIterator())
    }

    func send(_ line: String) async throws {
        try await self.channel.writeAndFlush(ByteBuffer(string: line + "\n"))
    }

    /// The next line from chatd; nil once it has closed the connection.
    mutating func nextLine() async -> String? {
        await self.lines.next()
    }

    /// Every line until chatd closes the connection.
    mutating func linesUntilClosed() async -> [String] {
        var lines: [String] = []
        while let line = await self.nextLine() { lines.append(line) }
        return lines
    }

    func close() async {
        try? await self.channel.close()
    }
}

private final class LineSink: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    let continuation: AsyncStream<String>.Continuation

    init(continuation: AsyncStream<String>.Continuation) {
        self.continuation = continuation
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        self.continuation.yield(String(buffer: Self.unwrapInboundIn(data)))
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.continuation.finish()
        context.fireChannelInactive()
    }
}
