// SPDX-License-Identifier: Apache-2.0
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// Who listens to which channel, and which channels Redis has confirmed on the current
/// connection. Owned by `RedisSubscriber`; its connection slot reports into it.
final class SubscriptionRegistry: Sendable {
    private struct Subscription {
        let channels: Set<String>
        let queue: MessageQueue
    }

    private struct Waiter {
        let channels: Set<String>
        let promise: EventLoopPromise<Void>
    }

    private struct Storage {
        var subscriptions: [Int: Subscription] = [:]
        var waiters: [Int: Waiter] = [:]
        var confirmed: Set<String> = []
        var nextID = 0
        var isShutDown = false
        /// Messages dropped because a listener fell too far behind, not yet logged.
        var dropped = 0

        var allChannels: Set<String> {
            self.subscriptions.values.reduce(into: Set<String>()) { $0.formUnion($1.channels) }
        }
    }

    private let storage = NIOLockedValueBox(Storage())
    private let logger: Logger
    private let eventLoop: any EventLoop

    init(eventLoop: any EventLoop, logger: Logger) {
        self.eventLoop = eventLoop
        self.logger = logger
    }

    /// Returns the subscription's id, or nil after shutdown.
    func add(channels: Set<String>, queue: MessageQueue) -> Int? {
        self.storage.withLockedValue { storage in
            guard !storage.isShutDown else { return nil }
            let id = storage.nextID
            storage.nextID += 1
            storage.subscriptions[id] = Subscription(channels: channels, queue: queue)
            return id
        }
    }

    /// Removes a subscription; returns the channels nobody listens to any more.
    func remove(_ id: Int) -> Set<String> {
        self.storage.withLockedValue { storage in
            guard let removed = storage.subscriptions.removeValue(forKey: id) else { return [] }
            return removed.channels.subtracting(storage.allChannels)
        }
    }

    /// Succeeds once Redis confirmed all `channels` on the current connection.
    func confirmation(of channels: Set<String>, on eventLoop: EventLoop, timeout: TimeAmount) -> EventLoopFuture<Void> {
        let promise = eventLoop.makePromise(of: Void.self)
        let id: Int? = self.storage.withLockedValue { storage in
            guard !channels.isSubset(of: storage.confirmed) else { return nil }
            let id = storage.nextID
            storage.nextID += 1
            storage.waiters[id] = Waiter(channels: channels, promise: promise)
            return id
        }
        guard let id else {
            promise.succeed(())
            return promise.futureResult
        }
        let timer = eventLoop.scheduleTask(in: timeout) {
            let waiter = self.storage.withLockedValue { $0.waiters.removeValue(forKey: id) }
            waiter?.promise.fail(RedisError.timeout)
        }
        promise.futureResult.whenComplete { _ in timer.cancel() }
        return promise.futureResult
    }

    /// A fresh connection has no subscriptions: subscribe everything still wanted.
    func connectionChanged(_ connection: RedisConnection?) {
        let channels: Set<String> = self.storage.withLockedValue { storage in
            storage.confirmed = []
            return connection == nil ? [] : storage.allChannels
        }
        if let connection {
            self.logger.debug("Redis pub/sub connection up", metadata: ["channels": "\(channels.count)"])
            RedisSubscriber.subscribeAllOnReconnect(channels, on: connection)
        }
    }

    /// Called on the connection's event loop for every pub/sub push.
    func handlePush(_ value: RESPValue) {
        guard let parts = value.array, let kind = parts.first?.string?.lowercased() else { return }
        switch kind {
        case "message":
            guard parts.count == 3, let channel = parts[1].string else { return }
            let message = RedisMessage(channel: channel, payload: parts[2].buffer ?? ByteBuffer())
            // Push outside the lock: a push may resume the reader, and a reader being
            // cancelled ends its queue, whose termination handler takes our lock
            // (`remove`) — yielding under our lock deadlocked chatd's shutdown once.
            let receivers = self.storage.withLockedValue { storage in
                storage.subscriptions.values.filter { $0.channels.contains(channel) }.map(\.queue)
            }
            var dropped = 0
            for queue in receivers { dropped += queue.push(message) }
            RedisMetrics.pubsubReceived.increment()
            if dropped > 0 {
                RedisMetrics.pubsubDropped.increment(by: Int64(dropped))
                self.noteDropped(dropped)
            }
        case "subscribe":
            guard parts.count >= 2, let channel = parts[1].string else { return }
            let ready: [Waiter] = self.storage.withLockedValue { storage in
                storage.confirmed.insert(channel)
                let ready = storage.waiters.filter { $0.value.channels.isSubset(of: storage.confirmed) }
                for id in ready.keys { storage.waiters.removeValue(forKey: id) }
                return Array(ready.values)
            }
            for waiter in ready { waiter.promise.succeed(()) }
        case "unsubscribe":
            guard parts.count >= 2, let channel = parts[1].string else { return }
            self.storage.withLockedValue { _ = $0.confirmed.remove(channel) }
        default:
            break
        }
    }

    /// A listener that falls more than its buffer behind loses the oldest messages, as a
    /// slow pub/sub client does in Redis itself; that must not go unseen. One warning
    /// a second at most, with the count.
    private func noteDropped(_ count: Int) {
        let first = self.storage.withLockedValue { storage in
            defer { storage.dropped += count }
            return storage.dropped == 0
        }
        guard first else { return }
        self.eventLoop.scheduleTask(in: .seconds(1)) {
            let dropped = self.storage.withLockedValue { storage in
                defer { storage.dropped = 0 }
                return storage.dropped
            }
            self.logger.warning("pub/sub messages dropped: a listener fell behind", metadata: ["dropped": "\(dropped)"])
        }
    }

    func shutDown() {
        let (subscriptions, waiters) = self.storage.withLockedValue { storage in
            storage.isShutDown = true
            defer {
                storage.subscriptions = [:]
                storage.waiters = [:]
            }
            return (Array(storage.subscriptions.values), Array(storage.waiters.values))
        }
        for waiter in waiters { waiter.promise.fail(RedisError.shutDown) }
        for subscription in subscriptions { subscription.queue.finish() }
    }
}
