import NIOCore

/// Writes now, flushes later: once per event-loop pass, after every write already
/// queued on that loop — so several frames for one connection (a burst of group
/// messages, a notice and a message) leave in one syscall.
final class FlushBatcher: Sendable {
    private let loop: any EventLoop
    private let pending: NIOLoopBoundBox<[ObjectIdentifier: any Channel]>

    init(loop: any EventLoop) {
        self.loop = loop
        self.pending = .makeBoxSendingValue([:], eventLoop: loop)
    }

    /// On `loop` only.
    func write(_ frame: ByteBuffer, to channel: any Channel) {
        channel.write(frame, promise: nil)
        if self.pending.value.isEmpty {
            self.loop.execute { self.flushAll() }
        }
        self.pending.value[ObjectIdentifier(channel)] = channel
    }

    private func flushAll() {
        let channels = self.pending.value
        self.pending.value = [:]
        for channel in channels.values { channel.flush() }
    }
}
