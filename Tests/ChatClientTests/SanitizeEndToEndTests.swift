// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import ChatTesting
import Foundation
import RedisClient
import TestTier
import Testing

/// The built `chat` never prints a control it got from someone else: a name from
/// before the name rules (planted in Redis), a message, a kick reason, and its own
/// failure messages, in text and in JSON.
@Suite(.integration) struct SanitizeEndToEndTests {
    /// OSC 0 (window title), C1 CSI, right-to-left override.
    static let evilName = "ann\u{1B}]0;owned\u{07}\u{9B}31m\u{202E}gnp"
    static let shownName = "ann^[]0;owned^G\u{FFFD}31m\u{FFFD}gnp"
    static let evilText = "hi \u{202E}olleh\u{1B}[2J"
    static let shownText = "hi \u{FFFD}olleh^[[2J"

    /// Controls but the newline and tab `chat` itself prints (tab separates `who` columns).
    static func rawControls(_ text: String) -> [String] {
        text.unicodeScalars.filter { scalar in
            switch scalar.value {
            case 0x09, 0x0A: return false
            case 0x00...0x1F, 0x7F...0x9F, 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0x2028, 0x2029:
                return true
            default: return false
            }
        }.map { "U+" + String($0.value, radix: 16, uppercase: true) }
    }

    @Test func namesTextsAndErrorsArePrintedSanitized() async throws {
        try await Deployment.with { d in
            try await self.scenario(chatd: d.chatd, redis: d.redis)
        }
    }

    func scenario(chatd: ChatdProcess, redis: RedisServerProcess) async throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("chat-sanitize-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }
        let cli = EndToEndTests.CLI(server: "127.0.0.1:\(chatd.port)", home: home)
        let bob = ["--user", "200", "--password-file", try cli.passwordFile("bob.pw", "bob-secret")]

        let ann = try await TestChatClient.connect(port: chatd.port)
        #expect(try await ann.register(100, name: "ann", password: "ann-secret").code == StatusCode.ok)
        #expect(try await ann.register(200, name: "bob", password: "bob-secret").code == StatusCode.ok)
        // A record from before the rules: registration would refuse this name now.
        let client = RedisClient(configuration: try RedisConfiguration(url: redis.url))
        let planted = try await client.send(["HSET", "chat:user:100", "username", Self.evilName])
        await client.shutdown()
        #expect(planted.int == 0)
        #expect(try await ann.login(100, password: "ann-secret").0.code == StatusCode.ok)
        try await ann.send(.sms(SmsMes(content: Self.evilText)))
        #expect(try await ann.next { if case .smsResult(let r) = $0 { r } else { nil } }.code == StatusCode.ok)

        // Bob listens; kicked with a reason full of controls, chat shows it sanitized.
        let listener = try cli.start(["listen"] + bob)
        _ = try await ann.next { m -> Bool? in
            if case .notifyUserStatus(let n) = m, n.userid == 200, n.status == UserStatus.online { return true }
            return nil
        }
        let kick = try await runToCompletion(
            productPath("chatctl"),
            [
                "--socket", chatd.controlSocket, "kick-user", "200",
                "--reason", "bye\u{1B}]52;c;cm0=\u{07}\u{202E}",
            ]
        )
        #expect(kick.status == 0, "\(kick.output)")
        let listened = try await listener.wait()
        #expect(listened.status == 1)
        #expect(Self.rawControls(listened.stdout + listened.stderr) == [])
        #expect(listened.stdout.contains("* kicked by the server: bye^[]52;c;cm0=^G\u{FFFD}"), "\(listened.stdout)")

        var r = try await cli.run(["who"] + bob)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(Self.rawControls(r.stdout + r.stderr) == [])
        #expect(r.stdout.contains("100\t\(Self.shownName)\tonline\n"), "\(r.stdout)")

        r = try await cli.run(["history"] + bob)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(Self.rawControls(r.stdout + r.stderr) == [])
        #expect(r.stdout.contains("\(Self.shownName)(100): \(Self.shownText)\n"), "\(r.stdout)")

        // JSON: the exact name and text, with what JSON leaves raw (C1, bidi) escaped.
        for arguments in [["who", "--json"], ["history", "--json"]] {
            r = try await cli.run(arguments + bob)
            #expect(r.status == 0, "\(r.stderr)")
            #expect(Self.rawControls(r.stdout) == [], "\(arguments)")
            let objects = try r.stdout.split(separator: "\n").map {
                try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
            }
            let annObject = try #require(objects.first { $0["username"] as? String != "bob" })
            #expect(
                (annObject["username"] as? String).map { Array($0.unicodeScalars) }
                    == Array(Self.evilName.unicodeScalars)
            )
        }

        // A failure that quotes what it was given goes out sanitized too.
        r = try await cli.run(["who"] + bob, env: ["CHAT_SERVER": "127.0.0.1:\u{1B}[2J\u{202E}"])
        #expect(r.status == 2)
        #expect(Self.rawControls(r.stderr) == [])
        #expect(
            r.stderr == "chat: CHAT_SERVER: invalid server address `127.0.0.1:^[[2J\u{FFFD}` (expected HOST:PORT)\n"
        )
        await ann.close()
    }
}
