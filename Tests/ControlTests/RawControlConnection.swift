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
            try await outbound.write(ByteBuffer(string: text))
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
            try await outbound.write(ByteBuffer(string: text))
            var lines: [String] = []
            for try await line in inbound { lines.append(String(buffer: line)) }
            return lines
        }
    }
}

private struct Lines: NIOSingleStepByteToMessageDecoder {
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
