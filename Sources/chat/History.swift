// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import ChatClient
import ChatProtocol

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

struct History: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print group history, or one private conversation with --with.",
        discussion: """
            Oldest first. When older messages exist, stderr says which --before ID pages on.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("The conversation with this user instead of the group.", valueName: "id"))
    var with: Int?

    @Option(help: ArgumentHelp("How many messages.", valueName: "n"))
    var limit: Int = 20

    @Option(help: ArgumentHelp("Only messages older than this message id.", valueName: "id"))
    var before: String?

    @Flag(help: "One JSON object per line.")
    var json = false

    func validate() throws {
        guard self.limit > 0 else { throw ValidationError("--limit must be positive") }
    }

    func run() async throws {
        let request = HistoryMes(before: self.before, limit: self.limit, with: self.with)
        let (reply, me) = try await self.global.withLogin { session, login in
            try await session.send(.history(request))
            let reply = try await session.wait(for: "history") { m -> HistoryResMes? in
                if case .history(let r) = m { return r }
                return nil
            }
            return (reply, login.username)
        }
        guard reply.code == StatusCode.ok else {
            throw ChatFailure.refused(code: reply.code, error: reply.error, what: "history")
        }
        let config = try self.global.config()
        var renderer = Renderer(style: self.global.style, selfID: config.user)
        if let id = config.user { renderer.learn(id, me) }
        let now = Date()
        var out = ""
        for record in reply.messages.reversed() {
            out += (self.json ? JSONEvent(record: record).line() : renderer.record(record, now: now)) + "\n"
        }
        Terminal.output(out)
        if reply.more, let oldest = reply.messages.last {
            Terminal.warn("older messages exist: add --before \(oldest.id)")
        }
    }
}
