// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import ChatClient
import ChatProtocol

struct Who: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List who is online.",
        discussion: "One user a line: id, name and status, tab-separated (or JSON objects with --json)."
    )

    @OptionGroup var global: GlobalOptions

    @Flag(help: "One JSON object per line.")
    var json = false

    func run() async throws {
        let reply = try await self.global.withLogin { session, _ in
            try await session.send(.onlineUsers)
            return try await session.wait(for: "who") { m -> OnlineUsersResMes? in
                if case .onlineUsers(let r) = m { return r }
                return nil
            }
        }
        guard reply.code == StatusCode.ok else {
            throw ChatFailure.refused(code: reply.code, error: reply.error, what: "who")
        }
        var out = ""
        for user in reply.users {
            if self.json {
                out += TerminalText.escapedJSON(PayloadCoder.encode(user)) + "\n"
            } else {
                let status =
                    [UserStatus.online: "online", UserStatus.offline: "offline", UserStatus.busy: "busy"][user.status]
                    ?? "\(user.status)"
                out += "\(user.userid)\t\(sanitize(user.username))\t\(status)\n"
            }
        }
        Terminal.output(out)
    }
}
