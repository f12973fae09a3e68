// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import ControlProtocol

struct Users: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Who is online: one line per user, with their number of sessions.")

    @ParentCommand var root: Chatctl

    func run() async throws {
        let result = try await self.root.client.call("users.online")
        self.root.show(result) { result in
            var table = Table(["USER", "NAME", "SESSIONS"], rightAligned: [0, 2])
            for user in result["users"]?.array ?? [] {
                table.add([user.text("user_id"), user.text("username"), user.text("sessions")])
            }
            return table.rendered
        }
    }
}

struct Sessions: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Live sessions: id, user, peer address, connected since, idle time, messages in/out.",
        discussion: """
        The SESSION column is what `chatctl kick` takes. Without --all-nodes, only the sessions \
        of the node whose control socket you use.
        """)

    @ParentCommand var root: Chatctl

    @Option(name: .long, help: ArgumentHelp("Only the sessions of this user.", valueName: "id"))
    var user: Int?

    @Flag(name: .long, help: """
        The sessions of every live node, with a NODE column: each node answers within 2 s or is \
        named as not answering (nodes_missing). At most 5000 sessions per node (nodes_truncated).
        """)
    var allNodes = false

    func run() async throws {
        var params: [String: JSONValue] = [:]
        if let user { params["user_id"] = .int(user) }
        if self.allNodes { params["all_nodes"] = .bool(true) }
        let result = try await self.root.client.call("sessions.list", params)
        let allNodes = self.allNodes
        self.root.show(result) { result in
            var headers = ["SESSION", "USER", "NAME", "PEER", "CONNECTED SINCE", "IDLE", "IN", "OUT"]
            var rightAligned: Set<Int> = [1, 5, 6, 7]
            if allNodes {
                headers.insert("NODE", at: 0)
                rightAligned = Set(rightAligned.map { $0 + 1 })
            }
            var table = Table(headers, rightAligned: rightAligned)
            for session in result["sessions"]?.array ?? [] {
                table.add((allNodes ? [session.text("node")] : []) + [
                    session.text("session_id"), session.text("user_id"), session.text("username"), session.text("peer"),
                    Format.time(session["connected_at"]?.int64), Format.duration(seconds: session["idle_seconds"]?.int ?? 0),
                    session.text("messages_in"), session.text("messages_out"),
                ])
            }
            guard allNodes else { return table.rendered }
            var lines = [table.rendered, "nodes: " + Format.nodesAnswered(result)]
            let truncated = (result["nodes_truncated"]?.array ?? []).compactMap(\.string)
            if !truncated.isEmpty {
                lines.append("only the first 5000 sessions of: " + truncated.joined(separator: ", "))
            }
            return lines.joined(separator: "\n")
        }
    }
}
