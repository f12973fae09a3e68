// SPDX-License-Identifier: Apache-2.0
import Foundation
import NIOCore
import RedisClient

/// Several chatd nodes on one Redis: which node holds which users (presence), which
/// nodes are alive (heartbeats), and the bus they talk over.
///
/// - `<prefix>nodes` sorted set: node id → time of its last heartbeat (ms).
/// - `<prefix>presence:<node>` hash: user id → `<sessions>:<name>` on that node.
/// - `<prefix>bus` pub/sub channel: `BusMessage` JSON.
/// A node whose heartbeat is older than the presence TTL is dead: the first live node
/// to notice removes it and announces its users offline (those not online elsewhere).
extension ChatStore {
    /// The user's first session on `node` started; true when no other live node has
    /// them (the user came online).
    public func presenceUp(node: String, user: Int, name: String, ttl: Duration) async throws(StoreError) -> Bool {
        let reply = try await self.eval(
            Scripts.presenceUp,
            keys: [keys.nodes],
            args: [node, String(user), name, keys.presencePrefix, String(WallClock.millis()), String(ttl.millis)]
        )
        return reply.int == 1
    }

    /// The user's last session on `node` ended; true when no other live node has them.
    /// Users who leave together share one script.
    public func presenceDown(node: String, user: Int, ttl: Duration) async throws(StoreError) -> Bool {
        try await self.presenceGone(PresenceDown(node: node, user: user, ttl: ttl)).get()
    }

    struct PresenceDown: Sendable {
        var node: String
        var user: Int
        var ttl: Duration
    }

    private struct PresenceScope: Hashable {
        let node: String
        let ttl: Duration
    }

    static func presenceDown(
        _ departures: [PresenceDown],
        redis: RedisClient,
        keys: Keys
    ) async -> [Result<Bool, StoreError>] {
        // One node and TTL in practice; a reload that changes the TTL may split a batch.
        var results: [Result<Bool, StoreError>] = Array(repeating: .success(false), count: departures.count)
        let groups = Dictionary(grouping: departures.indices) {
            PresenceScope(node: departures[$0].node, ttl: departures[$0].ttl)
        }
        for indices in groups.values {
            let first = departures[indices[0]]
            let args =
                [first.node, keys.presencePrefix, String(WallClock.millis()), String(first.ttl.millis)]
                + indices.map { String(departures[$0].user) }
            do throws(StoreError) {
                let reply = try await Self.eval(Scripts.presenceDown, keys: [keys.nodes], args: args, redis: redis)
                let gone = Set((reply.array ?? []).compactMap { $0.string.flatMap { Int($0) } ?? $0.int })
                for index in indices { results[index] = .success(gone.contains(departures[index].user)) }
            } catch {
                for index in indices { results[index] = .failure(error) }
            }
        }
        return results
    }

    /// Marks `node` alive, rewrites its presence from `users` (what it really holds: the
    /// source of truth), and removes dead nodes. Returns the users who went offline with
    /// them — each reported by exactly one node.
    public func heartbeat(
        node: String,
        users: [Int: (sessions: Int, name: String)],
        ttl: Duration
    ) async throws(StoreError) -> [(id: Int, name: String)] {
        var args = [node, keys.presencePrefix, String(WallClock.millis()), String(ttl.millis)]
        for (id, entry) in users { args += [String(id), "\(entry.sessions):\(entry.name)"] }
        let reply = try await self.eval(Scripts.heartbeat, keys: [keys.nodes], args: args)
        let flat = reply.array ?? []
        var gone: [(Int, String)] = []
        var index = 0
        while index + 1 < flat.count {
            if let id = flat[index].int { gone.append((id, flat[index + 1].string ?? "")) }
            index += 2
        }
        return gone
    }

    /// Every user online on a live node, with their name.
    public func onlineEverywhere(ttl: Duration) async throws(StoreError) -> [Int: String] {
        let reply = try await self.eval(
            Scripts.onlineEverywhere,
            keys: [keys.nodes],
            args: [keys.presencePrefix, String(WallClock.millis()), String(ttl.millis)]
        )
        var online: [Int: String] = [:]
        for (field, value) in reply.fieldMap {
            guard let id = Int(field) else { continue }
            online[id] = value.split(separator: ":", maxSplits: 1).dropFirst().first.map(String.init) ?? ""
        }
        return online
    }

    /// Removes this node's presence (orderly shutdown).
    public func leave(node: String) async throws(StoreError) {
        _ = try await self.command(["ZREM", keys.nodes, node])
        _ = try await self.command(["DEL", keys.presencePrefix + node, keys.nodeInfo(node)])
    }

    public func publish(_ message: BusMessage) async throws(StoreError) {
        guard let data = try? JSONEncoder().encode(message) else { return }
        _ = try await self.command(["PUBLISH", keys.bus, String(decoding: data, as: UTF8.self)])
    }

    /// The bus, from now on: returns once Redis confirmed the subscription. Needs the
    /// subscriber given at init.
    public func subscribeBus() async throws(StoreError) -> BusMessages {
        guard let subscriber = self.subscriber else { throw .unavailable("no subscriber") }
        do {
            return BusMessages(messages: try await subscriber.subscribe(channels: [keys.bus]))
        } catch {
            throw .unavailable("\(error)")
        }
    }
}

/// The bus's messages, decoded as they are read: the subscriber's buffer is the only
/// one, so a node that falls behind loses messages in one place, and says so.
public struct BusMessages: AsyncSequence, Sendable {
    let messages: RedisSubscription

    public struct AsyncIterator: AsyncIteratorProtocol {
        var messages: RedisSubscription.AsyncIterator
        let decoder = JSONDecoder()

        public mutating func next() async -> BusMessage? {
            while let message = await self.messages.next() {
                let data = message.payload.withUnsafeReadableBytes { Data($0) }
                if let decoded = try? self.decoder.decode(BusMessage.self, from: data) { return decoded }
            }
            return nil
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(messages: self.messages.makeAsyncIterator())
    }
}
