// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import NIOCore

/// Cuts a connection's bytes into frames (by `FrameDecoder`'s rules: length checked
/// from the prefix alone) and closes connections that start a frame and do not finish
/// it within `timeout`: slow-drip senders that would hold a connection and a buffer
/// forever. One handler, not a ByteToMessageHandler and a timer handler: it exists
/// once per connection, so what it costs counts a hundred thousand times.
final class FrameReader: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private var decoder: FrameDecoder
    private let timeout: TimeAmount
    /// The bytes of an unfinished frame, kept between reads; nil between frames.
    private var unfinished: ByteBuffer?
    private var deadline: Scheduled<Void>?
    /// After bad input nothing more is read: the session is closing with an error.
    private var failed = false

    /// `unfinished`: the start of a frame a previous chatd had read from this connection.
    init(maxFrameSize: Int, timeout: TimeAmount, unfinished: ByteBuffer? = nil) {
        self.decoder = FrameDecoder(maxFrameSize: maxFrameSize)
        self.timeout = timeout
        self.unfinished = unfinished
    }

    func channelActive(context: ChannelHandlerContext) {
        if self.unfinished != nil { self.arm(context: context) }
        context.fireChannelActive()
    }

    /// At a handover: the start of a frame not yet complete, for the next process.
    func takeUnfinished() -> ByteBuffer? {
        self.disarm()
        defer { self.unfinished = nil }
        return self.unfinished
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !self.failed else { return }
        var input = Self.unwrapInboundIn(data)
        ServerMetrics.bytesIn.increment(by: Int64(input.readableBytes))
        if var unfinished = self.unfinished {
            self.unfinished = nil
            unfinished.writeBuffer(&input)
            input = unfinished
        }
        do {
            while let frame = try self.decoder.decode(buffer: &input) {
                // The clock runs per frame: a finished one stops it.
                self.disarm()
                context.fireChannelRead(Self.wrapInboundOut(frame))
            }
        } catch {
            self.failed = true
            self.disarm()
            context.fireErrorCaught(error)
            return
        }
        if input.readableBytes > 0 {
            self.unfinished = input
            self.arm(context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        // An unfinished frame at the end is dropped with the connection.
        self.unfinished = nil
        self.disarm()
        context.fireChannelInactive()
    }

    private func arm(context: ChannelHandlerContext) {
        guard self.deadline == nil, self.timeout.nanoseconds > 0 else { return }
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        self.deadline = context.eventLoop.scheduleTask(in: self.timeout) {
            let (reader, context) = loopBound.value
            reader.failed = true
            reader.unfinished = nil
            context.fireErrorCaught(ProtocolError.frameTimeout)
        }
    }

    private func disarm() {
        self.deadline?.cancel()
        self.deadline = nil
    }
}
