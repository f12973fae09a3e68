// SPDX-License-Identifier: Apache-2.0
import ChatStore
import ControlProtocol

/// `sessions.list` and `stats` with `all_nodes`: every live node's part, merged, and
/// which nodes answered within the deadline and which did not.
extension ControlAPI {
    func listSessionsOfAllNodes(user: Int?) async throws(ControlError) -> Control.SessionsList.Result {
        let answers = try await self.checked(await self.server.queries.ask(.sessions(user: user)))
        var sessions: [ControlSession] = []
        var truncated: [String] = []
        for (node, part) in answers.parts {
            for value in part["sessions"]?.array ?? [] {
                // A session a node could not describe in full is left out, not guessed at.
                guard var session = try? value.decoded(as: ControlSession.self) else { continue }
                session.node = node
                sessions.append(session)
            }
            if part["truncated"]?.bool == true { truncated.append(node) }
        }
        sessions.sort { ($0.connectedAt, $0.sessionID) < ($1.connectedAt, $1.sessionID) }
        return .init(
            sessions: sessions,
            nodesAnswered: answers.parts.keys.sorted(),
            nodesMissing: answers.missing,
            nodesTruncated: truncated.sorted()
        )
    }

    /// The counters summed over the nodes that answered, and each node's own.
    func statsOfAllNodes() async throws(ControlError) -> Control.Stats.Result {
        let answers = try await self.checked(await self.server.queries.ask(.stats))
        let nodes = answers.parts.keys.sorted().compactMap { node -> ControlStats? in
            guard let part = answers.parts[node] else { return nil }
            return try? JSONValue.object(part).decoded(as: ControlStats.self)
        }
        func sum(_ counter: KeyPath<ControlStats, Int>) -> Int { nodes.reduce(0) { $0 + $1[keyPath: counter] } }
        return ControlStats(
            sessions: sum(\.sessions),
            usersOnline: sum(\.usersOnline),
            connections: sum(\.connections),
            connectionsNotLoggedIn: sum(\.connectionsNotLoggedIn),
            messagesIn: sum(\.messagesIn),
            messagesOut: sum(\.messagesOut),
            nodes: nodes,
            nodesAnswered: answers.parts.keys.sorted(),
            nodesMissing: answers.missing
        )
    }
}
