// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import ChatTesting
import Foundation
import TestTier
import Testing

/// The interactive `chat` on a pseudo-terminal while chatd restarts on the same port:
/// one line when the connection is lost, one when it is back, what was missed shown
/// once, and a line typed meanwhile sent then. An admin's kick and --no-reconnect end it.
@Suite(.serialized, .timeLimit(.minutes(3)), .integration) struct ReconnectTerminalTests {
    static let columns = 80

    func chat(_ fixture: ReconnectFixture, user: Int, password: String, _ arguments: [String] = []) throws -> PTYProcess
    {
        var env = fixture.cli.environment([
            "XDG_STATE_HOME": fixture.home.appendingPathComponent("state-\(user)").path, "TERM": "xterm",
        ])
        env["CHAT_USER"] = "\(user)"
        env["CHAT_PASSWORD_FILE"] = password
        return try PTYProcess(productPath("chat"), arguments, environment: env, columns: Self.columns)
    }

    func count(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    @Test func theInteractiveClientComesBackAfterARestart() async throws {
        try await ReconnectFixture.with { fixture, first in
            let carol = try await fixture.carol(on: first)
            let ann = try self.chat(fixture, user: 100, password: fixture.annPW)
            #expect(await ann.waitFor { $0.contains("* logged in as ann(100)") && $0.hasSuffix("ann(100)> \u{1B}[K") })
            try await fixture.say("before", as: carol)
            #expect(await ann.waitFor { $0.contains("carol(300): before") })

            try await fixture.stop(first)
            try #require(await ann.waitFor { $0.contains("* connection lost: server shutting down; reconnecting…") })
            ann.type("typed while away\r")
            #expect(await ann.waitFor { $0.contains("* not connected: sent once reconnected") })

            let other = try await fixture.start()
            let carolThere = try await fixture.carol(on: other)
            try await fixture.say("while away", as: carolThere)
            let again = try await fixture.start(port: first.port)
            try #require(
                await ann.waitFor {
                    $0.contains("* reconnected, 1 missed message") && $0.contains("carol(300): while away")
                }
            )
            // The queued line, sent and acknowledged once back.
            #expect(await ann.waitFor { $0.contains("ann(100): typed while away") })
            let carolAgain = try await fixture.carol(on: again)
            try await fixture.say("after", as: carolAgain)
            #expect(await ann.waitFor { $0.contains("carol(300): after") })

            ann.type("/quit\r")
            #expect(await ann.wait() == 0)
            _ = await ann.waitFor { _ in false }  // the rest of the output
            let text = ann.text
            #expect(self.count("carol(300): before", in: text) == 1)
            #expect(self.count("carol(300): while away", in: text) == 1)
            #expect(self.count("carol(300): after", in: text) == 1)
            #expect(self.count("ann(100): typed while away", in: text) == 1)
            #expect(self.count("connection lost", in: text) == 1)
            #expect(self.count("* reconnected", in: text) == 1)
            #expect(!text.contains("kicked"))
            await carol.close()
            await carolThere.close()
            await carolAgain.close()
        }
    }

    /// Bob is kicked by an admin: no reconnect, 1 as before. Ann, with --no-reconnect,
    /// ends at the drain's kick with 1 as before too.
    @Test func anAdminKickAndNoReconnectEndTheSession() async throws {
        try await ReconnectFixture.with { fixture, chatd in
            let ann = try self.chat(fixture, user: 100, password: fixture.annPW, ["--no-reconnect"])
            let bob = try self.chat(fixture, user: 200, password: fixture.bobPW)
            #expect(await ann.waitFor { $0.hasSuffix("ann(100)> \u{1B}[K") })
            #expect(await bob.waitFor { $0.hasSuffix("bob(200)> \u{1B}[K") })

            let kick = try await CLIProcess.launch(
                productPath("chatctl"),
                ["--socket", chatd.controlSocket, "kick-user", "200", "--reason", "spam"],
                environment: ["PATH": "/usr/bin:/bin"]
            ).wait()
            #expect(kick.status == 0, "\(kick.stderr)")
            #expect(await bob.wait() == 1)
            _ = await bob.waitFor { _ in false }
            #expect(bob.text.contains("* kicked by the server: spam"))
            #expect(!bob.text.contains("reconnecting"))

            try await fixture.stop(chatd)
            #expect(await ann.wait() == 1)
            _ = await ann.waitFor { _ in false }
            #expect(ann.text.contains("* kicked by the server: server shutting down"))
            #expect(!ann.text.contains("reconnecting"))
        }
    }
}
