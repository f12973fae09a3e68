// SPDX-License-Identifier: Apache-2.0
import ChatStore
import ControlProtocol

/// `sessions.list` and `stats` with `all_nodes`: every live node's part, merged, and
/// which nodes answered within the deadline and which did not.
extension ControlAPI {
    func listSessionsOfAllNodes(user: Int?) async throws(ControlError) -> JSONValue {
        let answers = try await self.checked(await self.server.queries.ask(.sessions(user: user)))
        var sessions: [(at: Int64, id: String, session: JSONValue)] = []
        var truncated: [String] = []
        for (node, part) in answers.parts {
            for case .object(var session) in part["sessions"]?.array ?? [] {
                session["node"] = .string(node)
                sessions.append((session["connected_at"]?.int64 ?? 0, session["session_id"]?.string ?? "", .object(session)))
            }
            if part["truncated"]?.bool == true { truncated.append(node) }
        }
        sessions.sort { ($0.at, $0.id) < ($1.at, $1.id) }
        var result = Self.answered(answers)
        result["sessions"] = .array(sessions.map(\.session))
        result["nodes_truncated"] = .array(truncated.sorted().map { .string($0) })
        return .object(result)
    }

    /// The counters summed over the nodes that answered, and each node's own.
    func statsOfAllNodes() async throws(ControlError) -> JSONValue {
        let answers = try await self.checked(await self.server.queries.ask(.stats))
        let summed = ["sessions", "users_online", "connections", "connections_not_logged_in", "messages_in", "messages_out"]
        var result = Self.answered(answers)
        for key in summed {
            result[key] = .int64(answers.parts.values.reduce(0) { $0 + ($1[key]?.int64 ?? 0) })
        }
        result["nodes"] = .array(answers.parts.keys.sorted().compactMap { answers.parts[$0].map { .object($0) } })
        return .object(result)
    }

    private static func answered(_ answers: ClusterAnswers) -> [String: JSONValue] {
        [
            "nodes_answered": .array(answers.parts.keys.sorted().map { .string($0) }),
            "nodes_missing": .array(answers.missing.map { .string($0) }),
        ]
    }
}
