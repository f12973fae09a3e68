import NIOConcurrencyHelpers
import NIOCore

/// Counts events per key (a user id, an address) in fixed windows and says when a
/// key is over its limit. Shared by all sessions of this node; per node, not global.
final class Throttle: Sendable {
    private struct Window {
        var start: NIODeadline
        var count: Int
    }

    let window: TimeAmount
    private let state = NIOLockedValueBox([String: Window]())

    init(window: TimeAmount) {
        self.window = window
    }

    /// True when `key` has reached `limit` events in the current window; then also
    /// how long until the window ends.
    func isOver(_ key: String, limit: Int, now: NIODeadline = .now()) -> (over: Bool, retryAfter: TimeAmount) {
        guard limit > 0 else { return (false, .zero) }
        return self.state.withLockedValue { windows in
            guard let current = windows[key], now - current.start < window else { return (false, .zero) }
            return (current.count >= limit, window - (now - current.start))
        }
    }

    func record(_ key: String, now: NIODeadline = .now()) {
        self.state.withLockedValue { windows in
            if var current = windows[key], now - current.start < window {
                current.count += 1
                windows[key] = current
            } else {
                windows[key] = Window(start: now, count: 1)
            }
            // Keep memory bounded by dropping ended windows now and then.
            if windows.count > 10_000 {
                windows = windows.filter { now - $0.value.start < self.window }
            }
        }
    }
}
