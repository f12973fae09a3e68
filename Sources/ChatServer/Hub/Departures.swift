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

    /// `user` left; returns the generation that `finish` must present.
    func begin(_ user: UserIdentity) -> Int {
        self.state.withLockedValue { state in
            state.next += 1
            state.pending[user.id] = Pending(user: user, generation: state.next)
            return state.next
        }
    }

    /// `user` is back: true when they were still within their grace.
    func cancel(_ user: Int) -> Bool {
        self.state.withLockedValue { $0.pending.removeValue(forKey: user) != nil }
    }

    /// The grace is over: true when `user` did not come back in it (and is now gone).
    func finish(_ user: Int, generation: Int) -> Bool {
        self.state.withLockedValue { state in
            guard state.pending[user]?.generation == generation else { return false }
            state.pending.removeValue(forKey: user)
            return true
        }
    }

    /// Users within their grace, for the presence heartbeat.
    var users: [UserIdentity] {
        self.state.withLockedValue { $0.pending.values.map(\.user) }
    }
}
