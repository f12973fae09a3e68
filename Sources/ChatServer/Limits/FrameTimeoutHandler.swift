import ChatProtocol
import NIOCore

/// Closes connections that start a frame and do not finish it in time (slow-drip
/// senders that would hold a connection and a buffer forever). Sits before the frame
/// decoder and only watches where frames begin and end; the bytes pass unchanged.
final class FrameTimeoutHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let timeout: TimeAmount
    /// Bytes of the current frame's prefix seen so far, and its length once known.
    private var prefix: [UInt8] = []
    private var remainingBody = 0
    private var deadline: Scheduled<Void>?

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = Self.unwrapInboundIn(data)
        var view = buffer.readableBytesView[...]
        while !view.isEmpty {
            if remainingBody > 0 {
                let take = min(remainingBody, view.count)
                remainingBody -= take
                view = view.dropFirst(take)
            } else {
                prefix.append(view.removeFirst())
                if prefix.count == 4 {
                    remainingBody = Int(prefix.reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
                    prefix.removeAll(keepingCapacity: true)
                }
            }
        }
        if remainingBody > 0 || !prefix.isEmpty {
            self.armDeadline(context: context)
        } else {
            self.deadline?.cancel()
            self.deadline = nil
        }
        context.fireChannelRead(data)
    }

    private func armDeadline(context: ChannelHandlerContext) {
        guard self.deadline == nil, timeout.nanoseconds > 0 else { return }
        let pipeline = context.pipeline
        self.deadline = context.eventLoop.scheduleTask(in: timeout) {
            pipeline.fireErrorCaught(ProtocolError.frameTimeout)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.deadline?.cancel()
        context.fireChannelInactive()
    }
}
