// SPDX-License-Identifier: Apache-2.0
import RedisClient

/// A node as others see it: what it said of itself at its last heartbeat.
public struct NodeSummary: Sendable, Equatable {
    public var id: String
    /// Milliseconds since the epoch of its last heartbeat.
    public var lastHeartbeat: Int64
    /// address, version, sessions, users, started: as the node described itself.
    public var info: [String: String]
}

/// Every node's self-description, for `chatctl nodes`: a hash per node next to the
/// presence hashes, expiring with the node if it stops beating.
extension ChatStore {
    public func describeNode(_ node: String, _ info: [String: String], ttl: Duration) async throws(StoreError) {
        guard !info.isEmpty else { return }
        let key = keys.nodeInfo(node)
        var set = ["HSET", key]
        for (field, value) in info.sorted(by: { $0.key < $1.key }) { set += [field, value] }
        let replies: [Result<RESPValue, RedisError>]
        do {
            replies = try await self.redis.pipeline([set, ["PEXPIRE", key, String(3 * ttl.millis)]])
        } catch { throw StoreError.from(error) }
        for reply in replies { _ = try Self.value(reply) }
    }

    /// Nodes with a heartbeat, newest first, with what they said of themselves.
    public func nodes() async throws(StoreError) -> [NodeSummary] {
        let beats = try await self.command(["ZREVRANGE", keys.nodes, "0", "-1", "WITHSCORES"]).array ?? []
        var nodes: [NodeSummary] = []
        var index = 0
        while index + 1 < beats.count {
            if let id = beats[index].string, let score = beats[index + 1].string.flatMap(Double.init) {
                nodes.append(NodeSummary(id: id, lastHeartbeat: Int64(score), info: [:]))
            }
            index += 2
        }
        guard !nodes.isEmpty else { return [] }
        let replies: [Result<RESPValue, RedisError>]
        do { replies = try await self.redis.pipeline(nodes.map { ["HGETALL", keys.nodeInfo($0.id)] }) } catch {
            throw StoreError.from(error)
        }
        for (index, reply) in replies.enumerated() { nodes[index].info = try Self.value(reply).fieldMap }
        return nodes
    }
}
