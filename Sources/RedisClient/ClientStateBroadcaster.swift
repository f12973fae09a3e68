// SPDX-License-Identifier: Apache-2.0
import NIOConcurrencyHelpers

/// Aggregates per-connection up/down flags into `RedisClient.State` and tells observers
/// about changes. Separate from `RedisClient` so the pool's slots can report to it
/// without a reference cycle back to the client.
final class ClientStateBroadcaster: Sendable {
    private struct Storage {
        var up: [Bool]
        var isShutDown = false
        var lastState: RedisClient.State = .down
        var nextID = 0
        var observers: [Int: AsyncStream<RedisClient.State>.Continuation] = [:]

        var state: RedisClient.State {
            if self.isShutDown { return .shutDown }
            return self.up.contains(true) ? .up : .down
        }
    }

    private let storage: NIOLockedValueBox<Storage>

    init(slots: Int) {
        self.storage = NIOLockedValueBox(Storage(up: Array(repeating: false, count: slots)))
    }

    var state: RedisClient.State {
        self.storage.withLockedValue { $0.state }
    }

    func slot(_ index: Int, isUp: Bool) {
        self.update { $0.up[index] = isUp }
    }

    func shutDown() {
        self.update { $0.isShutDown = true }
        let observers = self.storage.withLockedValue { storage in
            defer { storage.observers = [:] }
            return Array(storage.observers.values)
        }
        for observer in observers { observer.finish() }
    }

    /// Current state first, then every change; finishes after `.shutDown`.
    func stream() -> AsyncStream<RedisClient.State> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: RedisClient.State.self,
            bufferingPolicy: .bufferingNewest(16)
        )
        // Yielding under the lock keeps every observer's sequence in order; `yield` never
        // calls back into us (only `finish` runs `onTermination`, and that stays outside).
        let (id, isShutDown) = self.storage.withLockedValue { storage in
            let id = storage.nextID
            storage.nextID += 1
            continuation.yield(storage.state)
            if !storage.isShutDown { storage.observers[id] = continuation }
            return (id, storage.isShutDown)
        }
        if isShutDown {
            continuation.finish()
        } else {
            continuation.onTermination = { _ in
                self.storage.withLockedValue { _ = $0.observers.removeValue(forKey: id) }
            }
        }
        return stream
    }

    private func update(_ change: (inout Storage) -> Void) {
        self.storage.withLockedValue { storage in
            change(&storage)
            let new = storage.state
            guard new != storage.lastState else { return }
            storage.lastState = new
            for observer in storage.observers.values { observer.yield(new) }
        }
    }
}
