// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import ChatTesting
import Foundation
import TestTier
import Testing

/// The built `chat` binary against a real chatd and redis-server, one-shot mode
/// and the stdin line mode, checking output and exit statuses.
@Suite(.serialized, .integration) struct EndToEndTests {
    /// Runs `chat` with a clean environment: no colour, no user config but `config`.
    struct CLI {
        let server: String
        let home: URL

        func environment(_ extra: [String: String]) -> [String: String] {
            var env = [
                "PATH": "/usr/bin:/bin", "HOME": self.home.path, "XDG_CONFIG_HOME": self.home.path, "NO_COLOR": "1",
                "CHAT_SERVER": self.server,
            ]
            for (k, v) in extra { env[k] = v }
            return env
        }

        func start(_ arguments: [String], stdin: String? = nil, env: [String: String] = [:]) throws -> CLIProcess {
            try CLIProcess.launch(productPath("chat"), arguments, environment: self.environment(env), stdin: stdin)
        }

        func run(
            _ arguments: [String],
            stdin: String? = nil,
            env: [String: String] = [:]
        ) async throws -> CLIProcess.Result {
            try await self.start(arguments, stdin: stdin, env: env).wait()
        }

        func passwordFile(_ name: String, _ password: String) throws -> String {
            let path = self.home.appendingPathComponent(name).path
            try (password + "\n").write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
    }

    /// Reads `process`'s stdout until `count` complete lines arrived.
    /// Lines of `process`'s stdout, read until `enough` says so (or stdout closes).
    func lines(of process: CLIProcess, until enough: ([String]) -> Bool) async -> [String] {
        var text = ""
        for await chunk in process.stdoutChunks {
            text += chunk
            if text.hasSuffix("\n") && enough(text.split(separator: "\n").map(String.init)) { break }
        }
        return text.split(separator: "\n").map(String.init)
    }

    func json(_ line: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    @Test func oneShotCommandsAndLineMode() async throws {
        try await Deployment.with { d in
            try await self.scenario(chatd: d.chatd)
        }
    }

    func scenario(chatd: ChatdProcess) async throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("chat-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }
        let cli = CLI(server: "127.0.0.1:\(chatd.port)", home: home)
        let annPW = try cli.passwordFile("ann.pw", "ann-secret")
        let bobPW = try cli.passwordFile("bob.pw", "bob-secret")

        // register: id, name and password read as lines from stdin; then from flags.
        var r = try await cli.run(["register"], stdin: "100\nann\nann-secret\n")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "registered ann(100)\n")
        r = try await cli.run(["register", "--user", "200", "--name", "bob", "--password-file", bobPW])
        #expect(r.status == 0, "\(r.stderr)")
        r = try await cli.run(["register", "--user", "200", "--name", "bob2", "--password-file", bobPW])
        #expect(r.status == 4)
        #expect(r.stderr == "chat: id 200 is already registered\n")

        // Credentials: wrong password and unknown user are 3; usage 2; no server 69.
        r = try await cli.run(["send", "x", "--user", "100", "--password-file", bobPW])
        #expect(r.status == 3)
        #expect(r.stderr == "chat: login refused for user 100: wrong password\n")
        r = try await cli.run(["who", "--user", "999", "--password-stdin"], stdin: "whatever\n")
        #expect(r.status == 3)
        r = try await cli.run(["send", "--no-such-flag"])
        #expect(r.status == 2)
        r = try await withRefusingLoopbackPort { port in
            try await cli.run(["who", "--user", "100", "--password-file", annPW, "--server", "127.0.0.1:\(port)"])
        }
        #expect(r.status == 69)
        #expect(r.stderr.hasPrefix("chat: cannot connect to 127.0.0.1:"))
        #expect(r.stderr.split(separator: "\n").count == 1)

        // Ann's settings from the config file; CHAT_SERVER comes from the environment.
        let configDir = home.appendingPathComponent("chat")
        try FileManager.default.createDirectory(at: configDir, withIntermediateDirectories: true)
        try "# ann\nuser = 100\npassword_file = \(annPW)\nserver = 127.0.0.1:1\n"
            .write(to: configDir.appendingPathComponent("config"), atomically: true, encoding: .utf8)

        // An observer that sees presence: it tells us when the listener is logged in.
        let carol = try await TestChatClient.connect(port: chatd.port)
        #expect(try await carol.register(300, name: "carol", password: "carol-secret").code == StatusCode.ok)
        #expect(try await carol.login(300, password: "carol-secret").0.code == StatusCode.ok)

        let listener = try cli.start(["listen", "--json", "--user", "200", "--password-file", bobPW])
        _ = try await carol.next({ m -> Bool? in
            if case .notifyUserStatus(let n) = m, n.userid == 200, n.status == UserStatus.online { return true }
            return nil
        })

        r = try await cli.run(["send", "hello everyone"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.isEmpty)
        r = try await cli.run(["msg", "200", "hi bob"])
        #expect(r.status == 0, "\(r.stderr)")
        r = try await cli.run(["msg", "999", "anyone?"])
        #expect(r.status == 1)
        #expect(r.stderr == "chat: private message refused: no such user 999\n")

        // Dave comes online and stays.
        let dave = try await TestChatClient.connect(port: chatd.port)
        #expect(try await dave.register(400, name: "dave", password: "dave-secret").code == StatusCode.ok)
        #expect(try await dave.login(400, password: "dave-secret").0.code == StatusCode.ok)

        // The listener printed the group message, the private one and dave's presence.
        // (Ann's one-shot sessions may come and go within one batch of presence
        // notices, and then cause none.)
        let events = try await self.lines(of: listener) { lines in
            let objects = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            return objects.filter { $0["content"] != nil }.count >= 2
                && objects.contains { $0["type"] as? String == "NotifyUserStatusMes" && $0["userid"] as? Int == 400 }
        }.map(self.json)
        let contents = events.filter { $0["content"] != nil }
        #expect(contents.count == 2)
        let group = try #require(contents.first { $0["type"] as? String == "SmsMes" })
        #expect(group["from"] as? Int == 100)
        #expect(group["username"] as? String == "ann")
        #expect(group["content"] as? String == "hello everyone")
        #expect(group["id"] is String)
        #expect(group["ts"] is Int)
        let direct = try #require(contents.first { $0["type"] as? String == "PrivateMes" })
        #expect(direct["content"] as? String == "hi bob")
        #expect(direct["to"] as? Int == 200)
        #expect(events.contains { $0["type"] as? String == "NotifyUserStatusMes" && $0["userid"] as? Int == 400 })
        listener.signal(SIGINT)
        #expect(try await listener.wait().status == 130)

        r = try await cli.run(["who"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.split(separator: "\n").contains("100\tann\tonline"))
        #expect(r.stdout.split(separator: "\n").contains("300\tcarol\tonline"))

        r = try await cli.run(["history", "--json", "--limit", "5"])
        #expect(r.status == 0, "\(r.stderr)")
        let history = try r.stdout.split(separator: "\n").map { try self.json(String($0)) }
        #expect(history.map { $0["content"] as? String } == ["hello everyone"])
        r = try await cli.run(["history", "--with", "200"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(
            r.stdout.hasSuffix("ann(100) → 200: hi bob\n") || r.stdout.hasSuffix("you → 200: hi bob\n"),
            "\(r.stdout)"
        )

        // Line mode: each stdin line a group message, / lines commands, logout at EOF.
        r = try await cli.run([], stdin: "first line\n/msg 300 to carol\nsecond line\n")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("ann(100): first line"))
        #expect(r.stdout.contains("ann(100): second line"))
        let seen = try await carol.next({ m -> String? in
            if case .sms(let s) = m, s.content == "second line" { return s.username }
            return nil
        })
        #expect(seen == "ann")

        // A bad command in line mode: reported on stderr, status 1, the rest still sent.
        r = try await cli.run([], stdin: "/nonsense\nstill sent\n")
        #expect(r.status == 1)
        #expect(r.stderr.contains("unknown command /nonsense"))
        #expect(r.stdout.contains("ann(100): still sent"))
        await carol.close()
        await dave.close()
    }
}
