// SPDX-License-Identifier: Apache-2.0
import BuildInfo
import ChatStore
import Foundation
import Logging
import NIOConcurrencyHelpers

/// This node's part in a cluster of chatd nodes sharing one Redis: listens to the bus,
/// beats its heart, and announces the users of nodes that died.
final class ClusterMembership: Sendable {
    let hub: Hub
    let queries: ClusterQuery
    let store: ChatStore
    let ttl: Duration
    let logger: Logger
    /// What this node says of itself at each heartbeat (its address once it listens).
    private let description = NIOLockedValueBox([
        "version": Version.text,
        "started": String(Int64(Date().timeIntervalSince1970 * 1000)),
    ])

    init(hub: Hub, queries: ClusterQuery, store: ChatStore, ttl: Duration, logger: Logger) {
        self.hub = hub
        self.queries = queries
        self.store = store
        self.ttl = ttl
        self.logger = logger
    }

    /// Subscribes to the bus and loads who is online; returns once both are done, so a
    /// node is ready only when it hears the others. Call `beatOnce` when this node's
    /// sessions are in place (taken over from the previous process, if any): a beat
    /// writes this node's presence from them.
    func join() async throws -> BusMessages {
        let bus = try await self.store.subscribeBus()
        self.hub.resetOnline(try await self.store.onlineEverywhere(ttl: self.ttl))
        return bus
    }

    func beatOnce() async {
        _ = try? await self.beat()
    }

    /// Runs until cancelled: applies bus messages and beats every third of the TTL.
    func run(bus: BusMessages) async {
        await withDiscardingTaskGroup { tasks in
            tasks.addTask {
                for await message in bus {
                    if message.kind == .query { self.queries.answer(message) } else { self.hub.received(message) }
                }
            }
            tasks.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: self.ttl / 3)
                    do {
                        try await self.beat()
                    } catch {
                        self.logger.warning("presence heartbeat failed", metadata: ["error": "\(error)"])
                    }
                }
            }
        }
    }

    private func beat() async throws {
        var users: [Int: (sessions: Int, name: String)] = [:]
        for session in self.hub.sessions {
            users[session.user.id, default: (0, session.user.username)].sessions += 1
        }
        // Still online during their grace: held here until it ends.
        for user in self.hub.departures.users where users[user.id] == nil {
            users[user.id] = (1, user.username)
        }
        let gone = try await self.store.heartbeat(node: self.hub.node, users: users, ttl: self.ttl)
        try? await self.describe()
        for user in gone {
            self.logger.notice(
                "user offline: their node stopped answering",
                metadata: ["chat_event": "node_lost", "chat_user_id": "\(user.id)"]
            )
            await self.hub.announce(UserIdentity(id: user.id, username: user.name), online: false)
        }
    }

    /// The address clients reach this node at, for `chatctl nodes`; written at once.
    func advertise(address: String) async {
        self.description.withLockedValue { $0["address"] = address }
        try? await self.describe()
    }

    private func describe() async throws {
        let counts = self.hub.counts
        var info = self.description.withLockedValue { $0 }
        info["sessions"] = String(counts.sessions)
        info["users"] = String(counts.users)
        try await self.store.describeNode(self.hub.node, info, ttl: self.ttl)
    }

    /// An orderly exit: this node's presence goes at once rather than after the TTL.
    func leave() async {
        try? await self.store.leave(node: self.hub.node)
    }
}
