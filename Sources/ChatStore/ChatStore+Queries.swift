// SPDX-License-Identifier: Apache-2.0
import RedisClient

/// A question to every node (`chatctl sessions --all-nodes`): the asker publishes it on
/// the bus (`BusMessage.Kind.query`), each node pushes its answer onto
/// `<prefix>reply:<query>`, and the asker reads the list until every live node answered
/// or its deadline passed. The list expires by itself: an answer that comes after the
/// asker gave up, or an asker that died, leaves nothing behind for long.
extension ChatStore {
    /// Nodes whose last heartbeat is within `ttl` (as the presence scripts count them).
    public func liveNodes(ttl: Duration) async throws(StoreError) -> [String] {
        let now = WallClock.millis()
        let reply = try await self.command(["ZRANGEBYSCORE", keys.nodes, String(now - ttl.millis), "+inf"])
        return (reply.array ?? []).compactMap(\.string)
    }

    /// Adds this node's answer (JSON) to `query`'s list, which lives for `keep` at most.
    public func answer(query: String, _ json: String, keep: Duration) async throws(StoreError) {
        let key = keys.queryReplies(query)
        let replies: [Result<RESPValue, RedisError>]
        do {
            replies = try await self.redis.pipeline([["RPUSH", key, json], ["PEXPIRE", key, String(keep.millis)]])
        } catch { throw StoreError.from(error) }
        for reply in replies { _ = try Self.value(reply) }
    }

    /// The answers to `query` from the `from`th on (those not read yet).
    public func answers(query: String, from: Int) async throws(StoreError) -> [String] {
        let reply = try await self.command(["LRANGE", keys.queryReplies(query), String(from), "-1"])
        return (reply.array ?? []).compactMap(\.string)
    }

    /// The asker is done with `query`: late answers expire with the list they recreate.
    public func forgetAnswers(query: String) async throws(StoreError) {
        _ = try await self.command(["DEL", keys.queryReplies(query)])
    }
}
