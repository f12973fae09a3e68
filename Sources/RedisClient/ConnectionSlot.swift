// SPDX-License-Identifier: Apache-2.0
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// Keeps one `RedisConnection` alive: connects on first demand, and once started
/// reconnects in the background with backoff whenever the connection is lost.
/// Callers never wait for a backoff delay; they fail fast instead.
final class ConnectionSlot: Sendable {
    private enum State {
        case idle
        case connecting(EventLoopFuture<RedisConnection>, attempt: Int)
        case up(RedisConnection)
        case waiting(Scheduled<Void>, attempt: Int, lastError: RedisError)
        case shutDown
    }

    private let state = NIOLockedValueBox(State.idle)
    private let configuration: RedisConfiguration
    private let eventLoop: EventLoop
    private let backoff: Backoff
    private let logger: Logger
    private let onPush: (@Sendable (RESPValue) -> Void)?
    /// Told about every up/down transition, outside the lock.
    private let onChange: @Sendable (RedisConnection?) -> Void

    init(
        configuration: RedisConfiguration,
        eventLoop: EventLoop,
        logger: Logger,
        onPush: (@Sendable (RESPValue) -> Void)? = nil,
        onChange: @escaping @Sendable (RedisConnection?) -> Void
    ) {
        self.configuration = configuration
        self.eventLoop = eventLoop
        self.backoff = Backoff(minimum: configuration.reconnectBackoffMin, maximum: configuration.reconnectBackoffMax)
        self.logger = logger
        self.onPush = onPush
        self.onChange = onChange
    }

    /// The live connection, if any, without side effects.
    var current: RedisConnection? {
        self.state.withLockedValue { state in
            if case .up(let connection) = state { return connection }
            return nil
        }
    }

    /// Starts connecting if this slot has never been used.
    func startIfIdle() {
        _ = self.connectIfIdle()
    }

    /// The live connection; or the pending connect (bounded by the connect and command
    /// timeouts); or an immediate failure while backing off.
    func connection() -> EventLoopFuture<RedisConnection> {
        if let pending = self.connectIfIdle() { return pending }
        return self.state.withLockedValue { state in
            switch state {
            case .up(let connection): return self.eventLoop.makeSucceededFuture(connection)
            case .connecting(let future, _): return future
            case .waiting(_, _, let lastError): return self.eventLoop.makeFailedFuture(lastError)
            case .shutDown: return self.eventLoop.makeFailedFuture(RedisError.shutDown)
            case .idle: return self.eventLoop.makeFailedFuture(RedisError.connectionClosed)
            }
        }
    }

    private func connectIfIdle() -> EventLoopFuture<RedisConnection>? {
        let promise: EventLoopPromise<RedisConnection>? = self.state.withLockedValue { state in
            guard case .idle = state else { return nil }
            let promise = self.eventLoop.makePromise(of: RedisConnection.self)
            state = .connecting(promise.futureResult, attempt: 0)
            return promise
        }
        guard let promise else { return nil }
        self.connect(promise: promise, attempt: 0)
        return promise.futureResult
    }

    /// Runs outside the lock: callbacks may fire synchronously.
    private func connect(promise: EventLoopPromise<RedisConnection>, attempt: Int) {
        let future = RedisConnection.connect(
            configuration: self.configuration,
            eventLoop: self.eventLoop,
            logger: self.logger,
            onPush: self.onPush
        )
        future.whenComplete { result in
            self.connectCompleted(result, attempt: attempt)
        }
        future.cascade(to: promise)
    }

    private func connectCompleted(_ result: Result<RedisConnection, Error>, attempt: Int) {
        switch result {
        case .success(let connection):
            let accepted: Bool = self.state.withLockedValue { state in
                guard case .connecting = state else { return false }
                state = .up(connection)
                return true
            }
            guard accepted else {
                // Shut down while connecting.
                _ = connection.close()
                return
            }
            self.logger.debug("Redis connection up", metadata: ["attempt": "\(attempt)"])
            // Report "up" before watching for close: a connection that is already closed
            // fires its close callback at once, and "down" must come after "up".
            self.onChange(connection)
            connection.closeFuture.whenComplete { _ in self.connectionLost(connection) }
        case .failure(let error):
            let redisError = RedisError(error)
            let scheduled = self.scheduleReconnect(attempt: attempt + 1, lastError: redisError) { state in
                if case .connecting = state { return true }
                return false
            }
            if scheduled {
                self.logger.debug(
                    "Redis connect failed",
                    metadata: ["error": "\(redisError)", "attempt": "\(attempt)"]
                )
            }
        }
    }

    private func connectionLost(_ connection: RedisConnection) {
        let scheduled = self.scheduleReconnect(attempt: 0, lastError: .connectionClosed) { state in
            if case .up(let current) = state, current === connection { return true }
            return false
        }
        if scheduled {
            self.logger.info("Redis connection lost; reconnecting")
            self.onChange(nil)
        }
    }

    /// Moves to `.waiting` if `precondition` holds for the current state.
    private func scheduleReconnect(
        attempt: Int,
        lastError: RedisError,
        when precondition: (State) -> Bool
    ) -> Bool {
        let delay = self.backoff.delay(attempt: attempt)
        return self.state.withLockedValue { state in
            guard precondition(state) else { return false }
            let task = self.eventLoop.scheduleTask(in: delay) { self.reconnect(attempt: attempt) }
            state = .waiting(task, attempt: attempt, lastError: lastError)
            return true
        }
    }

    private func reconnect(attempt: Int) {
        let promise: EventLoopPromise<RedisConnection>? = self.state.withLockedValue { state in
            guard case .waiting = state else { return nil }
            let promise = self.eventLoop.makePromise(of: RedisConnection.self)
            state = .connecting(promise.futureResult, attempt: attempt)
            return promise
        }
        guard let promise else { return }
        self.connect(promise: promise, attempt: attempt)
    }

    /// Closes the connection and stops reconnecting; later calls fail with `.shutDown`.
    func shutdown() -> EventLoopFuture<Void> {
        let previous: State = self.state.withLockedValue { state in
            let previous = state
            state = .shutDown
            return previous
        }
        switch previous {
        case .up(let connection):
            return connection.close()
        case .connecting(let future, _):
            // connectCompleted sees .shutDown and closes a connection that still comes up.
            return future.flatMap { $0.close() }.recover { _ in }
        case .waiting(let task, _, _):
            task.cancel()
            return self.eventLoop.makeSucceededVoidFuture()
        case .idle, .shutDown:
            return self.eventLoop.makeSucceededVoidFuture()
        }
    }
}

extension RedisError {
    /// Any error surfacing from NIO, as a `RedisError`.
    init(_ error: any Error) {
        if let redisError = error as? RedisError {
            self = redisError
        } else {
            self = .connectionFailed("\(error)")
        }
    }
}
