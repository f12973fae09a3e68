// SPDX-License-Identifier: Apache-2.0
import NIOConcurrencyHelpers
import NIOCore

/// The messages of one `subscribe`, in order, until `shutdown` (or until its reader
/// is cancelled, or drops it: then its channels are unsubscribed).
///
/// Those not read yet wait here, bounded by bytes, not by count: a count bound is
/// only as good as the messages are small (100,000 of the bus's up to ~128 KiB would
/// be 12 GiB). Past the bound the oldest are dropped, as Redis itself does to a slow
/// subscriber.
public struct RedisSubscription: AsyncSequence, Sendable {
    public typealias Element = RedisMessage
    let handle: Handle

    public struct AsyncIterator: AsyncIteratorProtocol {
        let handle: Handle

        public mutating func next() async -> RedisMessage? {
            await self.handle.queue.next()
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(handle: self.handle)
    }

    /// Held by the reader's side only: when the last copy goes, nobody reads any more.
    final class Handle: Sendable {
        let queue: MessageQueue

        init(queue: MessageQueue) { self.queue = queue }

        deinit { self.queue.terminate() }
    }
}

/// The unread messages of one subscription; one reader at a time.
final class MessageQueue: Sendable {
    private struct State {
        var messages = CircularBuffer<RedisMessage>()
        var bytes = 0
        var waiter: CheckedContinuation<RedisMessage?, Never>?
        var finished = false
        var onTermination: (@Sendable () -> Void)?
    }

    let limit: Int
    private let state = NIOLockedValueBox(State())

    /// `limit`: bytes of unread messages (as `cost` counts them) kept at most.
    init(limit: Int) {
        self.limit = limit
    }

    /// What a waiting message is counted as: its bytes, plus what holding it costs.
    static func cost(of message: RedisMessage) -> Int {
        message.payload.readableBytes + message.channel.utf8.count + 64
    }

    /// Runs once, when the queue ends: finished or terminated.
    func onTermination(_ body: @escaping @Sendable () -> Void) {
        self.state.withLockedValue { $0.onTermination = body }
    }

    /// Adds a message (the newest is always kept); returns how many of the oldest were
    /// dropped to stay within `limit`.
    @discardableResult
    func push(_ message: RedisMessage) -> Int {
        let cost = Self.cost(of: message)
        let (waiter, dropped) = self.state.withLockedValue {
            state -> (CheckedContinuation<RedisMessage?, Never>?, Int) in
            guard !state.finished else { return (nil, 0) }
            if let waiter = state.waiter {
                state.waiter = nil
                return (waiter, 0)
            }
            var dropped = 0
            while state.bytes + cost > self.limit, let oldest = state.messages.popFirst() {
                state.bytes -= Self.cost(of: oldest)
                dropped += 1
            }
            state.messages.append(message)
            state.bytes += cost
            return (nil, dropped)
        }
        waiter?.resume(returning: message)
        return dropped
    }

    /// The next message; nil once finished and read to the end, or once terminated.
    /// Cancelling the reader terminates the queue.
    func next() async -> RedisMessage? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<RedisMessage?, Never>) in
                let result = self.state.withLockedValue { state -> RedisMessage?? in
                    if let message = state.messages.popFirst() {
                        state.bytes -= Self.cost(of: message)
                        return .some(message)
                    }
                    if state.finished || Task.isCancelled { return .some(nil) }
                    state.waiter = continuation
                    return nil
                }
                if let result { continuation.resume(returning: result) }
            }
        } onCancel: {
            self.terminate()
        }
    }

    /// No more messages come (shutdown): the reader gets those waiting, then nil.
    func finish() {
        self.end(dropWaiting: false)
    }

    /// The reader is gone (cancelled or dropped it): nothing more is read.
    func terminate() {
        self.end(dropWaiting: true)
    }

    private func end(dropWaiting: Bool) {
        let (waiter, onTermination) = self.state.withLockedValue { state in
            if dropWaiting {
                state.messages.removeAll()
                state.bytes = 0
            }
            let onTermination = state.finished ? nil : state.onTermination
            state.finished = true
            state.onTermination = nil
            defer { state.waiter = nil }
            return (state.waiter, onTermination)
        }
        waiter?.resume(returning: nil)
        onTermination?()
    }
}
