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
        discussion: "The SESSION column is what `chatctl kick` takes.")

    @ParentCommand var root: Chatctl

    @Option(name: .long, help: ArgumentHelp("Only the sessions of this user.", valueName: "id"))
    var user: Int?

    func run() async throws {
        var params: [String: JSONValue] = [:]
        if let user { params["user_id"] = .int(user) }
        let result = try await self.root.client.call("sessions.list", params)
        self.root.show(result) { result in
            var table = Table(["SESSION", "USER", "NAME", "PEER", "CONNECTED SINCE", "IDLE", "IN", "OUT"], rightAligned: [1, 5, 6, 7])
            for session in result["sessions"]?.array ?? [] {
                table.add([
                    session.text("session_id"), session.text("user_id"), session.text("username"), session.text("peer"),
                    Format.time(session["connected_at"]?.int64), Format.duration(seconds: session["idle_seconds"]?.int ?? 0),
                    session.text("messages_in"), session.text("messages_out"),
                ])
            }
            return table.rendered
        }
    }
}
