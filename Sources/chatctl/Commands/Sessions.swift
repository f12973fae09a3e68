// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import ControlProtocol

struct Users: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Who is online: one line per user, with their number of sessions."
    )

    @ParentCommand var root: Chatctl

    func run() async throws {
        let reply = try await self.root.client.call(Control.UsersOnline.self)
        self.root.show(reply) { result in
            var table = Table(["USER", "NAME", "SESSIONS"], rightAligned: [0, 2])
            for user in result.users {
                table.add([String(user.userID), user.username, String(user.sessions)])
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
            """
    )

    @ParentCommand var root: Chatctl

    @Option(name: .long, help: ArgumentHelp("Only the sessions of this user.", valueName: "id"))
    var user: Int?

    @Flag(
        name: .long,
        help: """
            The sessions of every live node, with a NODE column: each node answers within 2 s or is \
            named as not answering (nodes_missing). At most 5000 sessions per node (nodes_truncated).
            """
    )
    var allNodes = false

    func run() async throws {
        let reply = try await self.root.client.call(
            Control.SessionsList.self,
            .init(userID: self.user, allNodes: self.allNodes ? true : nil)
        )
        let allNodes = self.allNodes
        self.root.show(reply) { result in
            var headers = ["SESSION", "USER", "NAME", "PEER", "CONNECTED SINCE", "IDLE", "IN", "OUT"]
            var rightAligned: Set<Int> = [1, 5, 6, 7]
            if allNodes {
                headers.insert("NODE", at: 0)
                rightAligned = Set(rightAligned.map { $0 + 1 })
            }
            var table = Table(headers, rightAligned: rightAligned)
            for session in result.sessions {
                table.add(
                    (allNodes ? [Format.cell(session.node)] : []) + [
                        session.sessionID, String(session.userID), session.username, session.peer,
                        Format.time(session.connectedAt), Format.duration(seconds: session.idleSeconds),
                        String(session.messagesIn), String(session.messagesOut),
                    ]
                )
            }
            guard allNodes else { return table.rendered }
            var lines = [
                table.rendered, "nodes: " + Format.nodesAnswered(result.nodesAnswered, missing: result.nodesMissing),
            ]
            let truncated = result.nodesTruncated ?? []
            if !truncated.isEmpty {
                lines.append("only the first 5000 sessions of: " + truncated.joined(separator: ", "))
            }
            return lines.joined(separator: "\n")
        }
    }
}
