// SPDX-License-Identifier: Apache-2.0
import ChatStore
import NIOCore

/// A `Throttle` whose counts live in Redis, so every node sharing it counts together:
/// an attacker spread over N nodes gets no more than over one. This node's own count
/// is kept as well and decides alone while Redis does not answer, so an outage never
/// lifts a limit.
final class SharedThrottle: Sendable {
    /// What is counted, the first part of the Redis key ("register", "login-failures").
    let kind: String
    private let local: Throttle
    private let store: ChatStore

    init(_ kind: String, window: TimeAmount, store: ChatStore) {
        self.kind = kind
        self.local = Throttle(window: window)
        self.store = store
    }

    /// True when `key` has reached `limit` events in the current window, on any node;
    /// then also how long until the window ends.
    func isOver(_ key: String, limit: Int) async -> (over: Bool, retryAfter: TimeAmount) {
        guard limit > 0 else { return (false, .zero) }
        let here = self.local.isOver(key, limit: limit)
        if here.over { return here }
        guard let shared = try? await self.store.windowCount("\(self.kind):\(key)") else { return here }
        return shared.count >= limit ? (true, .milliseconds(shared.remainingMillis)) : (false, .zero)
    }

    /// Counts an attempt and says whether it was over `limit`: one atomic step, so
    /// attempts racing on several nodes cannot all slip under the limit.
    func admit(_ key: String, limit: Int) async -> (over: Bool, retryAfter: TimeAmount) {
        guard limit > 0 else { return (false, .zero) }
        let here = self.local.isOver(key, limit: limit)
        self.local.record(key)
        if here.over { return here }
        let name = "\(self.kind):\(key)"
        guard
            let shared = try? await self.store.countInWindow(name, window: .nanoseconds(self.local.window.nanoseconds))
        else { return here }
        return shared.count > limit ? (true, .milliseconds(shared.remainingMillis)) : (false, .zero)
    }

    func record(_ key: String) async {
        self.local.record(key)
        _ = try? await self.store.countInWindow(
            "\(self.kind):\(key)",
            window: .nanoseconds(self.local.window.nanoseconds)
        )
    }
}
