// SPDX-License-Identifier: Apache-2.0
import NIOCore

/// Gathers what one event loop sends to its connections for a moment and writes it
/// once per connection: a burst of group messages, a notice and a message leave in
/// one pipeline write and one syscall per connection. One pending write per
/// connection also keeps NIO's per-channel write queue at its initial size, so a
/// burst leaves no memory behind.
final class FlushBatcher: Sendable {
    let loop: any EventLoop
    private let gathering: NIOLoopBoundBox<Gathering>
    /// How long the last flush took.
    private let lastFlush: NIOLoopBoundBox<TimeAmount>

    /// The shortest gathering: what a message waits when the server is not busy.
    static let gather = TimeAmount.milliseconds(5)
    /// The longest, for a loop that is busy flushing.
    static let longestGather = TimeAmount.milliseconds(50)

    init(loop: any EventLoop) {
        self.loop = loop
        self.gathering = .makeBoxSendingValue(Gathering(), eventLoop: loop)
        self.lastFlush = .makeBoxSendingValue(.zero, eventLoop: loop)
    }

    /// On `loop` only: `frame` to every session of `recipients` (this loop's) but `except`.
    func broadcast(_ frame: ByteBuffer, to recipients: LoopSessions, except: [SessionID] = []) {
        self.scheduleFlushIfIdle()
        self.gathering.value.broadcast(frame, to: recipients, except: except)
    }

    /// On `loop` only: `frame` to one session.
    func write(_ frame: ByteBuffer, to session: SessionInfo) {
        self.scheduleFlushIfIdle()
        self.gathering.value.write(frame, to: session)
    }

    private func scheduleFlushIfIdle() {
        guard self.gathering.value.isEmpty else { return }
        // A few milliseconds' wait lets the fan-outs of messages arriving together
        // share one write per connection: under load that is many messages per
        // syscall (the kernel's send path is most of the cost); when idle it adds 5 ms.
        // Measured (chat-bench group, N = 1000, 4000 msg/s offered): 130k deliveries/s
        // flushing at once, 225k after 1 ms, 461k after 5 ms, 522k after 10 ms.
        // A loop whose flushes take long gathers as long again (group commit): it
        // spends at most about half its time flushing, and the more it has to write,
        // the more each syscall carries.
        let wait = max(Self.gather, min(Self.longestGather, self.lastFlush.value))
        self.loop.scheduleTask(in: wait) { self.flush() }
    }

    /// On `loop` only: writes what is gathered now, not when the gathering ends. For an
    /// orderly stop, so that what sessions were sent leaves before they are closed.
    func flushNow() {
        guard !self.gathering.value.isEmpty else { return }
        self.flush()
    }

    private func flush() {
        let start = NIODeadline.now()
        var gathering = Gathering()
        swap(&gathering, &self.gathering.value)
        var written = 0
        gathering.drain { channel, bytes in
            written += bytes.readableBytes
            channel.writeAndFlush(bytes, promise: nil)
        }
        ServerMetrics.bytesOut.increment(by: Int64(written))
        self.lastFlush.value = NIODeadline.now() - start
    }
}
