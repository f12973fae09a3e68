// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import ControlProtocol

struct Kick: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "End sessions: each is sent the reason, then closed. The user's other sessions stay.",
        discussion:
            "Session ids are listed by `chatctl sessions`. Exits 1 if any id was not found (the others are still kicked)."
    )

    @ParentCommand var root: Chatctl

    @Argument(help: ArgumentHelp("Sessions to end.", valueName: "session-id"))
    var sessions: [String]

    @Option(name: .long, help: ArgumentHelp("Shown to the user as they are disconnected.", valueName: "text"))
    var reason: String?

    func validate() throws {
        guard !self.sessions.isEmpty else { throw ValidationError("give at least one session id") }
    }

    func run() async throws {
        let reply = try await self.root.client.call(
            Control.SessionKick.self,
            .init(sessionIDs: self.sessions, reason: self.reason)
        )
        self.root.show(reply) { result in result.kicked.map { "kicked \($0)" }.joined(separator: "\n") }
        let missing = reply.result.notFound
        if !missing.isEmpty { throw ChatctlError.refused("no such session: \(missing.joined(separator: ", "))") }
    }
}

struct KickUser: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kick-user",
        abstract: "End every session of a user (they may log in again; see `user disable`)."
    )

    @ParentCommand var root: Chatctl

    @Argument(help: ArgumentHelp("The user.", valueName: "user-id"))
    var user: Int

    @Option(name: .long, help: ArgumentHelp("Shown to the user as they are disconnected.", valueName: "text"))
    var reason: String?

    func run() async throws {
        let reply = try await self.root.client.call(
            Control.UserKick.self,
            .init(userID: self.user, reason: self.reason)
        )
        self.root.show(reply) { result in "kicked \(Format.plural(result.kicked.count, "session")) of user \(self.user)"
        }
    }
}
