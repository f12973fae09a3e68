// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import ChatTesting
import ControlProtocol
import TestTier
import Testing

/// Changing user records: disable/enable, passwd, delete, import-seed.
@Suite(.integration) struct UserAdminTests {
    @Test func disableKicksAndRefusesLoginsEnableLetsBackIn() async throws {
        try await Deployment.with { chatd in
            try await chatd.register(1...2)
            let victim = try await chatd.login(1)
            let observer = try await chatd.login(2)

            let disable = try await chatd.chatctl("user", "disable", "1", "--reason", "spam")
            #expect(disable.status == 0)
            #expect(disable.stdout == "user 1 disabled (1 session kicked)\n")
            let last = try await victim.collectUntilClosed()
            #expect(last.contains { if case .kicked(let k) = $0 { k.reason == "spam" } else { false } })
            let offline = try await observer.next {
                if case .notifyUserStatus(let n) = $0, n.userid == 1, n.status == UserStatus.offline { n } else { nil }
            }
            #expect(offline.userid == 1)

            #expect(try await chatd.loginCode(1) == StatusCode.wrongPassword)
            let shown = try await chatd.chatctl("--json", "user", "show", "1").json
            #expect(shown["user"]?["disabled"]?.bool == true)
            #expect(try #require(shown["user"]?["token_epoch"]?.int) > 1)  // random at registration, bumped

            let enable = try await chatd.chatctl("user", "enable", "1")
            #expect(enable.status == 0)
            #expect(enable.stdout == "user 1 enabled\n")
            #expect(try await chatd.loginCode(1) == StatusCode.ok)

            // JSON mode of both.
            let again = try await chatd.chatctl("--json", "user", "disable", "1").json
            #expect(again["disabled"]?.bool == true)
            #expect(again["kicked"]?.array == [])
            let back = try await chatd.chatctl("--json", "user", "enable", "1").json
            #expect(back["disabled"]?.bool == false)

            let unknown = try await chatd.chatctl("user", "disable", "77")
            #expect(unknown.status == 1)
            #expect(unknown.stderr == "chatctl: no user 77\n")
            await observer.close()
        }
    }

    @Test func passwdFromStdinReplacesThePassword() async throws {
        try await Deployment.with { chatd in
            try await chatd.register(1...1)
            let human = try await chatd.chatctl("user", "passwd", "1", "--password-stdin", stdin: "n3w-secret\n")
            #expect(human.status == 0)
            #expect(human.stdout == "password of user 1 changed (0 sessions kicked)\n")
            #expect(!human.stdout.contains("n3w-secret") && !human.stderr.contains("n3w-secret"))
            #expect(try await chatd.loginCode(1, password: "pw") == StatusCode.wrongPassword)
            #expect(try await chatd.loginCode(1, password: "n3w-secret") == StatusCode.ok)

            let json = try await chatd.chatctl("--json", "user", "passwd", "1", "--password-stdin", stdin: "third\n")
            #expect(try json.json["user_id"]?.int == 1)
            #expect(try await chatd.loginCode(1, password: "third") == StatusCode.ok)

            // On a terminal: asked twice, without echo.
            let prompted = try await Chatctl.runOnTerminal(
                ["user", "passwd", "1"],
                socket: chatd.socket,
                input: "typed-pw\ntyped-pw\n"
            )
            #expect(prompted.status == 0)
            #expect(prompted.stdout.contains("New password: "))
            #expect(prompted.stdout.contains("Retype new password: "))
            #expect(prompted.stdout.contains("password of user 1 changed"))
            #expect(try await chatd.loginCode(1, password: "typed-pw") == StatusCode.ok)
            let mismatch = try await Chatctl.runOnTerminal(
                ["user", "passwd", "1"],
                socket: chatd.socket,
                input: "one\ntwo\n"
            )
            #expect(mismatch.status == 2)
            #expect(mismatch.stdout.contains("chatctl: the passwords do not match"))
            #expect(try await chatd.loginCode(1, password: "typed-pw") == StatusCode.ok)

            // No terminal and no --password-stdin: a usage error, nothing changed.
            let noTTY = try await chatd.chatctl("user", "passwd", "1")
            #expect(noTTY.status == 2)
            #expect(noTTY.stderr == "chatctl: stdin is not a terminal: use --password-stdin\n")
            let unknown = try await chatd.chatctl("user", "passwd", "42", "--password-stdin", stdin: "x\n")
            #expect(unknown.status == 1)
            // The password never reaches chatd's log either.
            #expect(!chatd.chatd.output.contains("n3w-secret") && !chatd.chatd.output.contains("third"))
        }
    }

    /// Disable and passwd revoke resume tokens; enable does not bring them back.
    @Test func disableAndPasswdRevokeResumeTokens() async throws {
        try await Deployment.with { chatd in
            try await chatd.register(1...1)
            func token() async throws -> String {
                let client = try await TestChatClient.connect(port: chatd.chatd.port)
                let (login, _) = try await client.login(1, password: "pw")
                await client.close()
                return try #require(login.token)
            }
            func resume(_ token: String) async throws -> Int {
                let client = try await TestChatClient.connect(port: chatd.chatd.port)
                try await client.send(.login(LoginMes(userid: 1, userpwd: "", token: token)))
                let result = try await client.next { if case .loginResult(let r) = $0 { r } else { nil } }
                await client.close()
                return result.code
            }
            let beforeDisable = try await token()
            #expect(try await chatd.chatctl("user", "disable", "1").status == 0)
            #expect(try await chatd.chatctl("user", "enable", "1").status == 0)
            #expect(try await resume(beforeDisable) != StatusCode.ok)

            let beforePasswd = try await token()
            #expect(try await resume(beforePasswd) == StatusCode.ok)
            #expect(try await chatd.chatctl("user", "passwd", "1", "--password-stdin", stdin: "pw\n").status == 0)
            #expect(try await resume(beforePasswd) != StatusCode.ok)
        }
    }

    @Test func deleteKicksThenRemovesTheRecord() async throws {
        try await Deployment.with { chatd in
            try await chatd.register(1...2)
            let doomed = try await chatd.login(1)

            let human = try await chatd.chatctl("user", "delete", "1")
            #expect(human.status == 0)
            #expect(human.stdout == "user 1 deleted (1 session kicked)\n")
            let last = try await doomed.collectUntilClosed()
            #expect(last.contains { if case .kicked(let k) = $0 { k.reason == "account deleted" } else { false } })
            #expect(try await chatd.loginCode(1) == StatusCode.noSuchUser)
            #expect(try await chatd.chatctl("user", "show", "1").status == 1)

            let json = try await chatd.chatctl("--json", "user", "delete", "2").json
            #expect(json["user_id"]?.int == 2)
            let gone = try await chatd.chatctl("user", "delete", "2")
            #expect(gone.status == 1)
            #expect(gone.stderr == "chatctl: no user 2\n")
        }
    }

    @Test func importSeedMovesTheSeedHash() async throws {
        try await Deployment.with { chatd in
            try await chatd.redisCommand(
                "HSET",
                "user",
                "100",
                #"{"userid":100,"userpwd":"seedpw","username":"alice"}"#,
                "101",
                #"{"userid":101,"userpwd":"seedpw","username":"bob"}"#
            )
            // Before import, a seed record shows as such (clear text never shown).
            let seed = try await chatd.chatctl("--json", "user", "show", "100").json
            #expect(seed["user"]?["seed_record"]?.bool == true)
            #expect(seed["user"]?["password"]?.string == "<redacted>")

            let human = try await chatd.chatctl("user", "import-seed")
            #expect(human.status == 0)
            #expect(human.stdout == "imported 2 users, skipped 0\n")
            let list = try await chatd.chatctl("--json", "user", "list").json
            #expect(list["users"]?.array?.compactMap { $0["username"]?.string } == ["alice", "bob"])
            #expect(try await chatd.loginCode(100, password: "seedpw") == StatusCode.ok)

            let json = try await chatd.chatctl("--json", "user", "import-seed").json
            #expect(json["imported"]?.int == 0)
        }
    }
}
