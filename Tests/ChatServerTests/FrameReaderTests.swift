// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import NIOCore
import NIOEmbedded
import Testing

@testable import ChatServer

/// The server's framing handler on an EmbeddedChannel: its clock is advanced by hand,
/// so the frame timeout is tested without waiting.
@Suite struct FrameReaderTests {
    /// Records what the reader passes on: frames, and the error it fires.
    final class Sink: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        var frames: [String] = []
        var errors: [ProtocolError] = []
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            self.frames.append(String(buffer: Self.unwrapInboundIn(data)))
        }
        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            if let error = error as? ProtocolError { self.errors.append(error) }
        }
    }

    func channel(maxFrameSize: Int = 64, timeout: TimeAmount = .seconds(30)) throws -> (EmbeddedChannel, Sink) {
        let sink = Sink()
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandlers([
            FrameReader(maxFrameSize: maxFrameSize, timeout: timeout), sink,
        ])
        return (channel, sink)
    }

    /// Frames cut at every possible place come out whole and in order.
    @Test func framesSplitAnywhereComeOutWhole() throws {
        let bodies = ["a", "hello", String(repeating: "x", count: 40), "{}"]
        var stream = ByteBuffer()
        for body in bodies {
            var frame = FrameEncoder.frame(Array(body.utf8))
            stream.writeBuffer(&frame)
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let (channel, sink) = try self.channel()
            var rest = stream
            while rest.readableBytes > 0 {
                let piece = rest.readSlice(length: Int.random(in: 1...min(9, rest.readableBytes), using: &generator))!
                try channel.writeInbound(piece)
            }
            #expect(sink.frames == bodies)
            #expect(sink.errors.isEmpty)
            _ = try channel.finish()
        }
    }

    /// An oversized length is refused from the prefix alone, and nothing after it is read.
    @Test func anOversizedFrameIsRefusedAndNothingMoreIsRead() throws {
        let (channel, sink) = try self.channel(maxFrameSize: 8)
        var bytes = ByteBuffer()
        bytes.writeInteger(UInt32(9))
        try channel.writeInbound(bytes)
        try channel.writeInbound(FrameEncoder.frame(Array("ok".utf8)))
        #expect(sink.errors == [.frameTooLarge(length: 9, limit: 8)])
        #expect(sink.frames.isEmpty)
        _ = try? channel.finish()
    }

    @Test func anEmptyFrameIsRefused() throws {
        let (channel, sink) = try self.channel()
        var bytes = ByteBuffer()
        bytes.writeInteger(UInt32(0))
        try channel.writeInbound(bytes)
        #expect(sink.errors == [.emptyFrame])
        _ = try? channel.finish()
    }

    /// A frame begun and not finished within the timeout is an error; the clock starts
    /// again with each finished frame, and does not run between frames.
    @Test func anUnfinishedFrameTimesOutAndTheClockRunsPerFrame() throws {
        let (channel, sink) = try self.channel(timeout: .seconds(10))
        let frame = FrameEncoder.frame(Array("hello".utf8))
        // Idle between frames: no clock.
        channel.embeddedEventLoop.advanceTime(by: .seconds(60))
        #expect(sink.errors.isEmpty)
        // A frame finished in 9 s, then the next begun: it has 10 s of its own.
        try channel.writeInbound(frame.getSlice(at: 0, length: 3)!)
        channel.embeddedEventLoop.advanceTime(by: .seconds(9))
        var rest = frame.getSlice(at: 3, length: frame.readableBytes - 3)!
        rest.writeBytes(frame.getSlice(at: 0, length: 2)!.readableBytesView)
        try channel.writeInbound(rest)
        #expect(sink.frames == ["hello"])
        channel.embeddedEventLoop.advanceTime(by: .seconds(9))
        #expect(sink.errors.isEmpty)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(sink.errors == [.frameTimeout])
        // After the timeout nothing more is read.
        try channel.writeInbound(frame.getSlice(at: 2, length: frame.readableBytes - 2)!)
        #expect(sink.frames == ["hello"])
        _ = try? channel.finish()
    }
}
