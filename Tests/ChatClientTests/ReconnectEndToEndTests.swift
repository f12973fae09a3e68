// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import ChatTesting
import Foundation
import TestTier
import Testing

/// `chat listen` against chatd processes that stop and start again on the same port
/// (the same redis): it comes back by itself after a drain or a drop, prints what it
/// missed once, and stays down after an admin's kick or with --no-reconnect.
@Suite(.serialized, .timeLimit(.minutes(3)), .integration) struct ReconnectEndToEndTests {
    func json(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map { line in
            try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
        }
    }

    func count(_ events: [[String: Any]], content: String) -> Int {
        events.filter { $0["content"] as? String == content }.count
    }

    /// chatd drains (SIGTERM): listen is told it may come back, retries while nothing
    /// listens; carol writes on another node meanwhile; chatd starts again on the port.
    @Test func listenComesBackAfterARestartAndPrintsWhatItMissedOnce() async throws {
        try await ReconnectFixture.with { fixture, first in
            let carol = try await fixture.carol(on: first)
            let listener = try fixture.cli.start([
                "listen", "--json", "--user", "200", "--password-file", fixture.bobPW,
            ])
            var output = GrowingOutput(listener)
            try await fixture.awaitOnline(200, seenBy: carol)
            try await fixture.say("before", as: carol)
            try #require(await output.until { $0.contains(#""content":"before""#) })

            try await fixture.stop(first)
            try #require(await output.until { $0.contains(#""type":"KickedMes""#) })

            // While nothing listens on its port, carol writes on another node.
            let other = try await fixture.start()
            let carolThere = try await fixture.carol(on: other)
            try await fixture.say("while away", as: carolThere)

            let again = try await fixture.start(port: first.port)
            try #require(await output.until { $0.contains(#""content":"while away""#) })
            let carolAgain = try await fixture.carol(on: again)
            try await fixture.say("after", as: carolAgain)
            try #require(await output.until { $0.contains(#""content":"after""#) })

            listener.signal(SIGINT)
            let result = try await listener.wait()
            #expect(result.status == 130)
            let events = try self.json(result.stdout)
            #expect(self.count(events, content: "before") == 1)
            #expect(self.count(events, content: "while away") == 1)
            #expect(self.count(events, content: "after") == 1)
            let missed = try #require(events.first { $0["content"] as? String == "while away" })
            #expect(missed["offline"] as? Bool == true)
            let kicks = events.filter { $0["type"] as? String == "KickedMes" }
            #expect(kicks.count == 1)
            #expect(kicks.first?["reconnect"] as? Bool == true)
            #expect(kicks.first?["reason"] as? String == "server shutting down")
            let reconnected = events.filter { $0["type"] as? String == "reconnected" }
            #expect(reconnected.count == 1)
            #expect(reconnected.first?["missed"] as? Int == 1)
            // The reconnected event comes right before what was missed.
            let order = events.compactMap {
                ($0["type"] as? String == "reconnected") ? "reconnected" : $0["content"] as? String
            }
            #expect(order == ["before", "reconnected", "while away", "after"], "\(result.stdout)")
            // One line however many attempts failed (ctrl-c adds an empty one).
            #expect(
                result.stderr.split(separator: "\n") == ["chat: connection lost: server shutting down; reconnecting…"]
            )
            await carol.close()
            await carolThere.close()
            await carolAgain.close()
        }
    }

    /// chatd killed (no kick, the connections just end): the default listener comes back
    /// once chatd runs again; one with --no-reconnect exits 69 as before.
    @Test func aDroppedConnectionIsResumedUnlessNoReconnect() async throws {
        try await ReconnectFixture.with { fixture, first in
            let carol = try await fixture.carol(on: first)
            let staying = try fixture.cli.start(["listen", "--json", "--user", "200", "--password-file", fixture.bobPW])
            try await fixture.awaitOnline(200, seenBy: carol)
            let leaving = try fixture.cli.start([
                "listen", "--no-reconnect", "--user", "100", "--password-file", fixture.annPW,
            ])
            try await fixture.awaitOnline(100, seenBy: carol)
            var output = GrowingOutput(staying)

            try await fixture.stop(first, signal: SIGKILL)
            let left = try await leaving.wait()
            #expect(left.status == 69)
            #expect(left.stderr == "chat: connection closed by the server\n")

            let again = try await fixture.start(port: first.port)
            try #require(await output.until { $0.contains(#""type":"reconnected""#) })
            let carolAgain = try await fixture.carol(on: again)
            try await fixture.say("after the crash", as: carolAgain)
            try #require(await output.until { $0.contains(#""content":"after the crash""#) })
            staying.signal(SIGINT)
            let result = try await staying.wait()
            #expect(result.status == 130)
            #expect(result.stderr.hasPrefix("chat: connection lost"), "\(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "one line however many attempts: \(result.stderr)")
            await carol.close()
            await carolAgain.close()
        }
    }

    /// An admin's kick says nothing of coming back: listen ends with 1, as before.
    @Test func anAdminKickIsNotResumed() async throws {
        try await ReconnectFixture.with { fixture, chatd in
            let carol = try await fixture.carol(on: chatd)
            let listener = try fixture.cli.start([
                "listen", "--json", "--user", "200", "--password-file", fixture.bobPW,
            ])
            try await fixture.awaitOnline(200, seenBy: carol)
            let kick = try await CLIProcess.launch(
                productPath("chatctl"),
                ["--socket", chatd.controlSocket, "kick-user", "200"],
                environment: ["PATH": "/usr/bin:/bin"]
            ).wait()
            #expect(kick.status == 0, "\(kick.stderr)")
            let result = try await listener.wait()
            #expect(result.status == 1)
            let kicks = try self.json(result.stdout).filter { $0["type"] as? String == "KickedMes" }
            #expect(kicks.count == 1)
            #expect(kicks.first?["reconnect"] == nil)
            #expect(!result.stderr.contains("reconnecting"))
            await carol.close()
        }
    }

    /// The password changed while listen was away: its token is revoked, and the login
    /// with it is refused. That ends listen with 3 (bad credentials), not endless retries.
    @Test func aRevokedTokenEndsTheListenerWithBadCredentials() async throws {
        try await ReconnectFixture.with { fixture, first in
            let carol = try await fixture.carol(on: first)
            let listener = try fixture.cli.start([
                "listen", "--json", "--user", "200", "--password-file", fixture.bobPW,
            ])
            try await fixture.awaitOnline(200, seenBy: carol)

            try await fixture.stop(first, signal: SIGKILL)
            let other = try await fixture.start()
            let passwd = try await CLIProcess.launch(
                productPath("chatctl"),
                ["--socket", other.controlSocket, "user", "passwd", "200", "--password-stdin"],
                environment: ["PATH": "/usr/bin:/bin"],
                stdin: "bob-new-secret\n"
            ).wait()
            #expect(passwd.status == 0, "\(passwd.stderr)")
            _ = try await fixture.start(port: first.port)

            let result = try await listener.wait()
            #expect(result.status == 3)
            #expect(
                result.stderr.hasSuffix(
                    "chat: login refused for user 200: invalid or expired token, log in with the password\n"
                ),
                "\(result.stderr)"
            )
            #expect(!result.stdout.contains(#""type":"reconnected""#))
            await carol.close()
        }
    }
}
