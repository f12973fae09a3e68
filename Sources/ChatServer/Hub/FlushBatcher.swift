import NIOCore

/// Gathers what one event loop's pass sends to each connection and writes it once,
/// at the end of the pass: a burst of group messages, a notice and a message leave in
/// one pipeline write and one syscall per connection. A single frame is written as it
/// is — the bytes shared by every recipient; only a second frame for the same
/// connection in one pass costs a copy. One pending write per connection also keeps
/// NIO's per-channel write queue at its initial size, so a burst leaves no memory behind.
final class FlushBatcher: Sendable {
    private let loop: any EventLoop
    private let pending: NIOLoopBoundBox<[ObjectIdentifier: Pending]>

    private struct Pending {
        let channel: any Channel
        var bytes: ByteBuffer
    }

    init(loop: any EventLoop) {
        self.loop = loop
        self.pending = .makeBoxSendingValue([:], eventLoop: loop)
    }

    /// On `loop` only.
    func write(_ frame: ByteBuffer, to channel: any Channel) {
        if self.pending.value.isEmpty {
            self.loop.execute { self.flushAll() }
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
