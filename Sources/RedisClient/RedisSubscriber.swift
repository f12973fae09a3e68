// SPDX-License-Identifier: Apache-2.0
import Logging
import NIOCore
import NIOPosix

/// A message published to a channel this subscriber listens on.
public struct RedisMessage: Sendable, Equatable {
    public let channel: String
    public let payload: ByteBuffer

    public init(channel: String, payload: ByteBuffer) {
        self.channel = channel
        self.payload = payload
    }

    public var string: String { String(buffer: self.payload) }
}

/// Pub/sub on one dedicated connection (a subscribed connection can run no other commands).
///
/// After a lost connection it reconnects with backoff and re-subscribes every channel that
/// still has a listener; messages published meanwhile are lost, as is usual for pub/sub.
/// Publish with `RedisClient.send("PUBLISH", channel, message)`.
public final class RedisSubscriber: Sendable {
    private let registry: SubscriptionRegistry
    private let slot: ConnectionSlot
    private let eventLoop: EventLoop
    private let commandTimeout: TimeAmount
    private let healthCheck: RepeatedTask
    private let backlogBytes: Int

    /// - Parameter healthCheckInterval: how often to PING the otherwise silent connection, so a
    ///   dead peer is noticed (the PING times out, the connection is replaced) instead of
    ///   the subscription going quiet forever.
    /// - Parameter backlogBytes: how far, in bytes, a listener may fall behind before its
    ///   oldest messages are dropped.
    public init(
        configuration: RedisConfiguration,
        eventLoopGroup: EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "RedisSubscriber"),
        healthCheckInterval: TimeAmount = .seconds(10),
        backlogBytes: Int = RedisSubscriber.defaultBacklogBytes
    ) {
        self.backlogBytes = backlogBytes
        let eventLoop = eventLoopGroup.next()
        let registry = SubscriptionRegistry(eventLoop: eventLoop, logger: logger)
        self.registry = registry
        self.eventLoop = eventLoop
        self.commandTimeout = configuration.commandTimeout
        self.slot = ConnectionSlot(
            configuration: configuration,
            eventLoop: self.eventLoop,
            logger: logger,
            onPush: { registry.handlePush($0) },
            onChange: { registry.connectionChanged($0) }
        )
        let slot = self.slot
        // In subscribed mode Redis answers PING with a ["pong", ""] array, which is not a
        // push kind and so completes the command normally; a late answer trips the timeout.
        self.healthCheck = self.eventLoop.scheduleRepeatedTask(
            initialDelay: healthCheckInterval,
            delay: healthCheckInterval
        ) { _ in
            _ = slot.current?.write(Self.encode(["PING"]), replies: 1)
        }
    }

    /// How far a listener may fall behind, in bytes, before the oldest messages are
    /// dropped: what Redis holds for a slow subscriber before disconnecting it (32 MB
    /// of output buffer, `client-output-buffer-limit pubsub`).
    public static let defaultBacklogBytes = 32 << 20

    /// The bytes a message takes of a listener's backlog: its payload and channel name,
    /// and a little for holding it.
    public static func backlogCost(of message: RedisMessage) -> Int { MessageQueue.cost(of: message) }

    /// True while the pub/sub connection is up.
    public var isConnected: Bool { self.slot.current?.isActive ?? false }

    /// Subscribes and returns once Redis has confirmed every channel, so nothing published
    /// afterwards is missed. The stream ends on `shutdown()`; ending it early (cancelling
    /// its consumer) unsubscribes channels no other stream listens on.
    /// If more than `backlogBytes` of undelivered messages wait, the oldest are dropped
    /// and a warning says how many.
    public func subscribe(channels: [String]) async throws(RedisError) -> RedisSubscription {
        let wanted = Set(channels)
        let queue = MessageQueue(limit: self.backlogBytes)
        let stream = RedisSubscription(handle: .init(queue: queue))
        guard let id = self.registry.add(channels: wanted, queue: queue) else {
            queue.finish()
            throw .shutDown
        }
        let registry = self.registry
        let slot = self.slot
        queue.onTermination {
            let orphaned = registry.remove(id)
            if !orphaned.isEmpty, let connection = slot.current {
                _ = connection.write(Self.encode(["UNSUBSCRIBE"] + orphaned.sorted()), replies: 0)
            }
        }
        guard !wanted.isEmpty else { return stream }
        do {
            let connection = try await self.slot.connection().get()
            let confirmed = self.registry.confirmation(of: wanted, on: self.eventLoop, timeout: self.commandTimeout)
            _ = connection.write(Self.encode(["SUBSCRIBE"] + wanted.sorted()), replies: 0)
            try await confirmed.get()
        } catch {
            queue.finish()
            throw RedisError(error)
        }
        return stream
    }

    /// Ends every stream and closes the connection; later subscribes throw `.shutDown`.
    public func shutdown() async {
        self.healthCheck.cancel()
        self.registry.shutDown()
        try? await self.slot.shutdown().get()
    }

    static func encode(_ command: [String]) -> ByteBuffer {
        var buffer = ByteBuffer()
        RESPEncoder.writeCommand(command, into: &buffer)
        return buffer
    }

    static func subscribeAllOnReconnect(_ channels: Set<String>, on connection: RedisConnection) {
        guard !channels.isEmpty else { return }
        _ = connection.write(Self.encode(["SUBSCRIBE"] + channels.sorted()), replies: 0)
    }
}
