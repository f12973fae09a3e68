// SPDX-License-Identifier: Apache-2.0
import RedisClient

/// Events counted in a fixed window, in Redis: every node sharing it sees the same
/// count, so an attacker spread over N nodes gets no more than over one.
public struct WindowCount: Sendable, Equatable {
    public let count: Int
    /// Until the window ends, in milliseconds (0 when no window is open).
    public let remainingMillis: Int64

    public init(count: Int, remainingMillis: Int64) {
        self.count = count
        self.remainingMillis = remainingMillis
    }
}

extension ChatStore {
    /// The count of `name` (such as "register:192.0.2.1") in its open window, without counting.
    public func windowCount(_ name: String) async throws(StoreError) -> WindowCount {
        try Self.decodeWindowCount(await self.eval(Scripts.windowCount, keys: [self.keys.limit(name)], args: []))
    }

    /// Counts one event of `name`; the first of a window opens it for `window`.
    public func countInWindow(_ name: String, window: Duration) async throws(StoreError) -> WindowCount {
        let millis = max(1, window.millis)
        return try Self.decodeWindowCount(
            await self.eval(Scripts.countInWindow, keys: [self.keys.limit(name)], args: [String(millis)])
        )
    }

    private static func decodeWindowCount(_ reply: RESPValue) throws(StoreError) -> WindowCount {
        guard let parts = reply.array, parts.count == 2, let count = parts[0].int, let ttl = parts[1].int else {
            throw .corruptRecord("window count: unexpected reply")
        }
        return WindowCount(count: count, remainingMillis: Int64(max(ttl, 0)))
    }
}
