// SPDX-License-Identifier: Apache-2.0
import NIOConcurrencyHelpers
import NIOCore

/// Counts events per key (an address) in fixed windows and says when a key is over
/// its limit. Shared by all sessions of this node; per node, not global.
final class Throttle: Sendable {
    private struct Window: Expiring {
        var count: Int
        /// The window's end.
        var expiry: NIODeadline
    }

    let window: TimeAmount
    private let state: NIOLockedValueBox<ExpiringTable<Window>>

    init(window: TimeAmount, capacity: Int = 100_000) {
        self.window = window
        self.state = NIOLockedValueBox(ExpiringTable(capacity: capacity))
    }

    /// True when `key` has reached `limit` events in the current window; then also
    /// how long until the window ends.
    func isOver(_ key: String, limit: Int, now: NIODeadline = .now()) -> (over: Bool, retryAfter: TimeAmount) {
        guard limit > 0 else { return (false, .zero) }
        return self.state.withLockedValue { table in
            guard let current = table.value(key, now: now) else { return (false, .zero) }
            return (current.count >= limit, current.expiry - now)
        }
    }

    func record(_ key: String, now: NIODeadline = .now()) {
        self.state.withLockedValue { table in
            var current = table.value(key, now: now) ?? Window(count: 0, expiry: now + self.window)
            current.count += 1
            table.set(key, current, now: now)
        }
    }
}
