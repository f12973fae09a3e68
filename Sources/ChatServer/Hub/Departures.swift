// SPDX-License-Identifier: Apache-2.0
import NIOConcurrencyHelpers

/// Users whose last session on this node dropped less than `presence_grace` ago. They
/// still count as online here and in Redis, so a quick reconnect — a network blip, a
/// client restarting, a reconnect storm — notifies no one, instead of an offline and
/// an online notice to every session.
final class Departures: Sendable {
    private struct Pending {
        var user: UserIdentity
        var generation: Int
    }

    private let state = NIOLockedValueBox((pending: [Int: Pending](), next: 0))
    /// Graces started, for `run` to time: (user, generation, length).
    private let started: AsyncStream<(Int, Int, Duration)>
    private let start: AsyncStream<(Int, Int, Duration)>.Continuation

    init() {
        (self.started, self.start) = AsyncStream.makeStream(of: (Int, Int, Duration).self)
    }

    /// `user` left; their grace of `grace` starts now.
    func begin(_ user: UserIdentity, grace: Duration) {
        let generation = self.state.withLockedValue { state in
            state.next += 1
            state.pending[user.id] = Pending(user: user, generation: state.next)
            return state.next
        }
        self.start.yield((user.id, generation, grace))
    }

    /// Times every grace until cancelled (the server's `run`); `expired` gets each user
    /// whose grace ended without them coming back. A grace cut short by shutdown ends nothing.
    func run(expired: @escaping @Sendable (UserIdentity) async -> Void) async {
        await withDiscardingTaskGroup { graces in
            for await (user, generation, grace) in self.started {
                graces.addTask {
                    try? await Task.sleep(for: grace)
                    guard !Task.isCancelled, let gone = self.finish(user, generation: generation) else { return }
                    await expired(gone)
                }
            }
        }
    }

    /// `user` is back: true when they were still within their grace.
    func cancel(_ user: Int) -> Bool {
        self.state.withLockedValue { $0.pending.removeValue(forKey: user) != nil }
    }

    /// The grace is over: the user, when they did not come back in it (and are now gone).
    private func finish(_ user: Int, generation: Int) -> UserIdentity? {
        self.state.withLockedValue { state in
            guard let pending = state.pending[user], pending.generation == generation else { return nil }
            state.pending.removeValue(forKey: user)
            return pending.user
        }
    }

    /// Users within their grace, for the presence heartbeat.
    var users: [UserIdentity] {
        self.state.withLockedValue { $0.pending.values.map(\.user) }
    }
}
