// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import ChatTesting
import ControlProtocol
import TestTier
import Testing

/// What an administrator does about accounts that an attacker could otherwise abuse:
/// adding users while registration is closed, a password change that ends the old
/// sessions, and a deleted id that nobody can take over.
@Suite(.integration) struct AccountAdminTests {
    @Test func userAddWorksWhileRegistrationIsClosed() async throws {
        try await Deployment.with(environment: ["CHATD_REGISTRATION": "closed"]) { chatd in
            let client = try await TestChatClient.connect(port: chatd.chatd.port)
            #expect(try await client.register(5, name: "eve", password: "pw").code == StatusCode.wrongPassword)
            await client.close()

            let added = try await chatd.chatctl(
                "user",
                "add",
                "5",
                "--name",
                "eve",
                "--password-stdin",
                stdin: "s3cret-pw\n"
            )
            #expect(added.status == 0)
            #expect(added.stdout == "user 5 added\n")
            #expect(!added.stdout.contains("s3cret-pw") && !added.stderr.contains("s3cret-pw"))
            #expect(try await chatd.loginCode(5, password: "s3cret-pw") == StatusCode.ok)

            let again = try await chatd.chatctl("user", "add", "5", "--name", "eve", "--password-stdin", stdin: "x\n")
            #expect(again.status == 1)
            #expect(again.stderr == "chatctl: user 5 already exists\n")
            #expect(!chatd.chatd.output.contains("s3cret-pw"))
        }
    }

    /// Whoever knew the old password is not left connected, here or through a token.
    @Test func passwdEndsTheUsersSessions() async throws {
        try await Deployment.with { chatd in
            try await chatd.register(1...1)
            let attacker = try await chatd.login(1)
            let result = try await chatd.chatctl("user", "passwd", "1", "--password-stdin", stdin: "n3w\n")
            #expect(result.status == 0)
            #expect(result.stdout == "password of user 1 changed (1 session kicked)\n")
            let last = try await attacker.collectUntilClosed()
            #expect(
                last.contains { if case .kicked(let k) = $0 { k.reason.contains("password changed") } else { false } }
            )
            #expect(try await chatd.loginCode(1, password: "n3w") == StatusCode.ok)
        }
    }

    /// A deleted id stays deleted: registering it again is refused, and nothing of the
    /// old user's private conversations or tokens reaches whoever asks.
    @Test func aDeletedIDIsNeverReused() async throws {
        try await Deployment.with { chatd in
            try await chatd.register(1...2)
            let bob = try await chatd.login(2)
            let ann = try await TestChatClient.connect(port: chatd.chatd.port)
            let token = try #require(try await ann.login(1, password: "pw").0.token)
            try await bob.send(.privateMessage(PrivateMes(to: 1, content: "secret for ann")))
            _ = try await bob.next { if case .privateResult(let r) = $0 { r } else { nil } }

            let deleted = try await chatd.chatctl("--json", "user", "delete", "1").json
            #expect(deleted["conversations_deleted"]?.int == 1)
            _ = try await ann.collectUntilClosed()

            let mallory = try await TestChatClient.connect(port: chatd.chatd.port)
            let refused = try await mallory.register(1, name: "mallory", password: "pw")
            #expect(refused.code == StatusCode.badRequest)
            #expect(refused.error.contains("deleted user"))
            try await mallory.send(.login(LoginMes(userid: 1, userpwd: "", token: token)))
            let byToken = try await mallory.next { if case .loginResult(let r) = $0 { r } else { nil } }
            #expect(byToken.code != StatusCode.ok)
            await mallory.close()

            let added = try await chatd.chatctl(
                "user",
                "add",
                "1",
                "--name",
                "mallory",
                "--password-stdin",
                stdin: "pw\n"
            )
            #expect(added.status == 1)
            #expect(added.stderr.contains("deleted user"))
            await bob.close()
        }
    }
}
