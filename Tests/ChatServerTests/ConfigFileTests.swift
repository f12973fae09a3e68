// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import ChatTesting
import Foundation
import TestTier
import Testing

/// The shipped config file documents every key, and chatd accepts it as shipped
/// and with every key uncommented.
@Suite(.integration) struct ConfigFileTests {
    static var shippedConfig: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
            .appendingPathComponent("etc/chatd/chatd.conf").path
    }

    @Test func shippedFileIsValid() async throws {
        let result = try await runToCompletion(
            productPath("chatd"),
            ["--check-config", "--config", Self.shippedConfig]
        )
        #expect(result.status == 0, "\(result.output)")
    }

    @Test func everyKeyUncommentedIsValid() async throws {
        let text = try String(contentsOfFile: Self.shippedConfig, encoding: .utf8)
        let uncommented = text.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("#"), line.dropFirst().first?.isLetter == true,
                line.contains(" = ") || line.hasSuffix(" =")
            else { return nil }
            return String(line.dropFirst())
        }
        let keys = uncommented.map { $0.split(separator: "=")[0].trimmingCharacters(in: .whitespaces) }
        for key in [
            "listen", "control_socket", "admin_group", "redis_url", "redis_key_prefix", "max_frame_size",
            "idle_timeout", "login_timeout", "history_max", "offline_max", "scrypt_n", "log_level", "motd",
        ] {
            #expect(keys.contains(key), "\(key) is not documented")
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("chatd-all-\(UUID().uuidString).conf")
            .path
        try uncommented.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try await runToCompletion(productPath("chatd"), ["--check-config", "--config", path])
        #expect(result.status == 0, "\(result.output)")
    }

    @Test func unknownKeyIsNamed() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("chatd-bad-\(UUID().uuidString).conf")
            .path
        try "listen = 127.0.0.1:1\nlisten_port = 5\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try await runToCompletion(productPath("chatd"), ["--check-config", "--config", path])
        #expect(result.status == 1)
        #expect(result.output.contains(":2: unknown key \"listen_port\""))
    }

    /// The rules that used to trap: a comment after a value, quotes kept around a value,
    /// `#` and spaces inside quotes. The MOTD shows what chatd really read.
    @Test func inlineCommentsAndQuotes() async throws {
        try await RedisServerProcess.with { redis in
            let chatd = try await ChatdProcess.start(
                redisURL: redis.url,
                config: """
                    max_connections = 500  # a comment after a value
                    motd = "hello  # not a comment  "   # but this is
                    log_level = 'debug'
                    """
            )
            do {
                let ann = try await TestChatClient.connect(port: chatd.port)
                #expect(try await ann.register(1, name: "ann", password: "pw").code == StatusCode.ok)
                #expect(try await ann.login(1, password: "pw").0.code == StatusCode.ok)
                #expect(try await ann.next(Pick.sms).content == "hello  # not a comment  ")
            } catch {
                try await chatd.stop()
                throw error
            }
            try await chatd.stop()
        }
    }

    @Test func unterminatedQuoteNamesFileAndLine() async throws {
        let (path, result) = try await Self.checkConfig("listen = 127.0.0.1:1\nmotd = \"hello # there\n")
        #expect(result.status == 1)
        #expect(result.output.contains("\(path):2: unterminated \" quote"), "\(result.output)")
    }

    @Test func badValueNamesFileAndLine() async throws {
        let (path, result) = try await Self.checkConfig("# chatd\n\nidle_timeout = soon  # minutes?\n")
        #expect(result.status == 1)
        #expect(
            result.output.contains("\(path):3: idle_timeout = \"soon\": expected a whole number"),
            "\(result.output)"
        )
    }

    /// Values from the environment or a flag are named by the variable or the flag instead.
    @Test func badValueFromEnvironmentOrFlagNamesIt() async throws {
        let (_, fromEnvironment) = try await Self.checkConfig("", environment: ["CHATD_IDLE_TIMEOUT": "soon"])
        #expect(fromEnvironment.status == 1)
        #expect(
            fromEnvironment.output.contains("CHATD_IDLE_TIMEOUT=\"soon\": expected a whole number"),
            "\(fromEnvironment.output)"
        )
        let (_, fromFlag) = try await Self.checkConfig("listen = 127.0.0.1:1\n", arguments: ["--listen", "nowhere"])
        #expect(fromFlag.status == 1)
        #expect(fromFlag.output.contains("--listen \"nowhere\": expected HOST:PORT"), "\(fromFlag.output)")
    }

    /// `chatd --check-config` on `text` written to a temporary file, without CHATD_ variables but `environment`.
    static func checkConfig(
        _ text: String,
        arguments: [String] = [],
        environment: [String: String] = [:]
    ) async throws
        -> (path: String, result: (status: Int32, output: String))
    {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "chatd-check-\(UUID().uuidString).conf"
        ).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CHATD_") }
        env.merge(environment) { $1 }
        let result = try await runToCompletion(
            productPath("chatd"),
            ["--check-config", "--config", path] + arguments,
            environment: env
        )
        return (path, result)
    }

    /// Flags beat the environment, which beats the file.
    @Test func precedence() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("chatd-prec-\(UUID().uuidString).conf")
            .path
        try "idle_timeout = nonsense\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var environment = ProcessInfo.processInfo.environment
        // The file's bad value is overridden by a good one from the environment...
        environment["CHATD_IDLE_TIMEOUT"] = "30"
        #expect(
            try await runToCompletion(
                productPath("chatd"),
                ["--check-config", "--config", path],
                environment: environment
            ).status == 0
        )
        // ...and a bad environment value by a good flag.
        environment["CHATD_REDIS_URL"] = "http://nope"
        #expect(
            try await runToCompletion(
                productPath("chatd"),
                ["--check-config", "--config", path],
                environment: environment
            ).status == 1
        )
        #expect(
            try await runToCompletion(
                productPath("chatd"),
                ["--check-config", "--config", path, "--redis", "redis://127.0.0.1:1"],
                environment: environment
            ).status == 0
        )
    }
}
