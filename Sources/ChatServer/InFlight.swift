// SPDX-License-Identifier: Apache-2.0
import NIOConcurrencyHelpers

/// Counts work that must finish before shutdown (requests, session ends), and
/// lets shutdown wait for the count to reach zero.
final class InFlight: Sendable {
    private struct State {
        var count = 0
        var waiters: [CheckedContinuation<Void, Never>] = []
    }
    private let state = NIOLockedValueBox(State())

    func enter() { self.state.withLockedValue { $0.count += 1 } }

    func leave() {
        let waiters = self.state.withLockedValue { state -> [CheckedContinuation<Void, Never>] in
            state.count -= 1
            guard state.count == 0 else { return [] }
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func run<T: Sendable>(_ body: () async -> T) async -> T {
        self.enter()
        defer { self.leave() }
        return await body()
    }

    func waitUntilIdle() async {
        await withCheckedContinuation { continuation in
            let idle = self.state.withLockedValue { state -> Bool in
                if state.count == 0 { return true }
                state.waiters.append(continuation)
                return false
            }
            if idle { continuation.resume() }
        }
    }
}
