// SPDX-License-Identifier: Apache-2.0
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A small pool of pipelined connections to one Redis server.
///
/// Connections are opened on first use and shared by concurrent callers (replies are
/// matched to commands in order). A lost connection is re-established in the background
/// with backoff; while no connection is up, calls fail fast with a `RedisError` instead
/// of waiting. Call `shutdown()` when done.
public final class RedisClient: Sendable {
    public enum State: Sendable, Equatable {
        /// At least one connection is up.
        case up
        /// No connection is up (not yet connected, or Redis unreachable).
        case down
        case shutDown
    }

    public let configuration: RedisConfiguration
    private let slots: [ConnectionSlot]
    private let broadcaster: ClientStateBroadcaster
    private let roundRobin = NIOLockedValueBox(0)
    private let logger: Logger
    private let metrics = RedisMetrics()

    public init(
        configuration: RedisConfiguration,
        eventLoopGroup: EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "RedisClient")
    ) {
        self.configuration = configuration
        self.logger = logger
        let broadcaster = ClientStateBroadcaster(slots: configuration.poolSize)
        self.broadcaster = broadcaster
        self.slots = (0..<configuration.poolSize).map { index in
            ConnectionSlot(
                configuration: configuration,
                eventLoop: eventLoopGroup.next(),
                logger: logger,
                onChange: { connection in broadcaster.slot(index, isUp: connection != nil) }
            )
        }
    }

    // MARK: State

    public var state: State { self.broadcaster.state }

    /// True while at least one connection is up.
    public var isHealthy: Bool { self.state == .up }

    /// The current state, then every change until shutdown.
    public func stateChanges() -> AsyncStream<State> {
        self.broadcaster.stream()
    }

    // MARK: Commands

    /// Sends one command. A `-ERR` reply throws `RedisError.server`.
    public func send(_ arguments: [String]) async throws(RedisError) -> RESPValue {
        var payload = ByteBuffer()
        RESPEncoder.writeCommand(arguments, into: &payload)
        return try await self.sendEncoded(payload)
    }

    public func send(_ arguments: String...) async throws(RedisError) -> RESPValue {
        try await self.send(arguments)
    }

    /// Binary-safe variant for payloads that are not text.
    public func send(_ arguments: [ByteBuffer]) async throws(RedisError) -> RESPValue {
        var payload = ByteBuffer()
        RESPEncoder.writeCommand(arguments, into: &payload)
        return try await self.sendEncoded(payload)
    }

    /// Writes all commands with one flush on one connection; results come back in order.
    /// Each command fails or succeeds on its own; this throws only if no connection is available.
    public func pipeline(_ commands: [[String]]) async throws(RedisError) -> [Result<RESPValue, RedisError>] {
        guard !commands.isEmpty else { return [] }
        var payload = ByteBuffer()
        for command in commands { RESPEncoder.writeCommand(command, into: &payload) }
        let connection = try await self.connection()
        var results: [Result<RESPValue, RedisError>] = []
        results.reserveCapacity(commands.count)
        for future in connection.write(payload, replies: commands.count) {
            do {
                results.append(Self.checked(try await future.get()))
            } catch {
                results.append(.failure(RedisError(error)))
            }
        }
        return results
    }

    public func ping() async throws(RedisError) {
        let reply = try await self.send("PING")
        guard reply.string == "PONG" else { throw .unexpectedReply("PING answered \(reply)") }
    }

    /// Closes every connection and stops reconnecting; later calls throw `.shutDown`.
    public func shutdown() async {
        self.broadcaster.shutDown()
        for slot in self.slots {
            try? await slot.shutdown().get()
        }
    }

    // MARK: Internals

    private func sendEncoded(_ payload: ByteBuffer) async throws(RedisError) -> RESPValue {
        let start = ContinuousClock.now
        do throws(RedisError) {
            let connection = try await self.connection()
            let reply: RESPValue
            do {
                reply = try await connection.write(payload, replies: 1)[0].get()
            } catch {
                throw RedisError(error)
            }
            let value = try Self.checked(reply).get()
            self.metrics.duration.record(duration: ContinuousClock.now - start)
            return value
        } catch {
            self.metrics.failed(error)
            throw error
        }
    }

    private static func checked(_ reply: RESPValue) -> Result<RESPValue, RedisError> {
        if case .error(let message) = reply { return .failure(.server(message)) }
        return .success(reply)
    }

    /// Round-robin over live connections. If none is up, waits only for a connect
    /// already in progress; a slot that is backing off fails at once.
    private func connection() async throws(RedisError) -> RedisConnection {
        guard self.broadcaster.state != .shutDown else { throw .shutDown }
        let start = self.roundRobin.withLockedValue { counter in
            defer { counter = (counter &+ 1) % self.slots.count }
            return counter
        }
        for offset in 0..<self.slots.count {
            let slot = self.slots[(start + offset) % self.slots.count]
            if let connection = slot.current, connection.isActive { return connection }
        }
        // The pool is lazy as a whole: the first demand opens every connection.
        for slot in self.slots { slot.startIfIdle() }
        do {
            return try await self.slots[start].connection().get()
        } catch {
            throw RedisError(error)
        }
    }
}
