// SPDX-License-Identifier: Apache-2.0
import ChatStore
import ControlProtocol
import Foundation

/// What this node says of its sessions and counters: the results of `sessions.list`
/// and `stats`, and this node's part of the same questions asked of every node.
struct NodeReport: Sendable {
    let hub: Hub
    let connections: ConnectionTracker
    let store: ChatStore
    let startedAt = Date()

    /// The live sessions (of `user`), oldest first; the first `limit` when there are more.
    func sessions(of user: Int?, limit: Int = .max) -> (sessions: [ControlSession], total: Int) {
        let sessions = user.map { self.hub.liveSessions(of: $0) } ?? self.hub.liveSessions
        let now = WallClock.millis()
        let sorted = sessions.sorted { ($0.connectedAt, $0.id.rawValue) < ($1.connectedAt, $1.id.rawValue) }
        return (sorted.prefix(limit).map { ControlAPI.shape($0, now: now) }, sorted.count)
    }

    /// Totals over the live sessions: what an operator watches for load.
    func stats() -> ControlStats {
        let sessions = self.hub.liveSessions
        let counts = self.hub.counts
        let connections = self.connections.count
        return ControlStats(
            sessions: counts.sessions,
            usersOnline: counts.users,
            connections: connections,
            connectionsNotLoggedIn: max(0, connections - counts.sessions),
            messagesIn: sessions.reduce(0) { $0 + $1.stats.received },
            messagesOut: sessions.reduce(0) { $0 + $1.stats.sent },
            redis: self.store.isHealthy ? "up" : "down",
            uptimeSeconds: self.uptimeSeconds
        )
    }

    var uptimeSeconds: Int { Int(Date().timeIntervalSince(self.startedAt)) }
}
