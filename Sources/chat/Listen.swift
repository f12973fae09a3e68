// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import ChatClient
import ChatProtocol
import Foundation

struct Listen: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print incoming messages until interrupted or disconnected.",
        discussion: """
            Messages missed while offline come first. With --json, one object per line, e.g. \
            {"content":"hi","from":100,"id":"…","ts":…,"type":"SmsMes","username":"ann"}; \
            types SmsMes, PrivateMes, NotifyUserStatusMes, KickedMes, ErrorMes (offline ones \
            carry "offline":true). Exits 69 when the connection ends, 130 on ctrl-c.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Flag(help: "One JSON object per line.")
    var json = false

    func run() async throws {
        let json = self.json
        let style = self.global.style
        let config = try self.global.config()
        try await self.global.withLogin { session, login in
            var renderer = Renderer(style: style, selfID: config.user)
            if let id = config.user { renderer.learn(id, login.username) }
            while let message = try await session.next() {
                let lines = json ? JSONEvent.events(for: message).map { $0.line() } : renderer.render(message, now: Date())
                if !lines.isEmpty { Terminal.output(lines.joined(separator: "\n") + "\n") }
                if case .kicked = message { throw ChatFailure(.refused, "") }
            }
            throw ChatFailure(.unavailable, "connection closed by the server")
        }
    }
}
