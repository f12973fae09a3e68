// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import ChatTesting
import Foundation
import TestTier
import Testing

/// Passwords, hashes and tokens never reach the log, even at the most verbose level.
@Suite(.integration) struct SecretsTests {
    @Test func noSecretInTheLogAtTraceLevel() async throws {
        let password = "correct-horse-battery-staple"
        let wrong = "Tr0ub4dor&3"
        try await Deployment.with(environment: ["CHATD_LOG_LEVEL": "trace"]) { d in
            let client = try await d.client()
            _ = try await client.register(42, name: "ann", password: password)
            _ = try await client.login(42, password: wrong)
            let (login, _) = try await client.login(42, password: password)
            let token = try #require(login.token)
            let again = try await d.client()
            try await again.send(.login(LoginMes(userid: 42, userpwd: "", token: token)))
            #expect(try await again.next(Pick.login).code == 200)
            // A seed client puts its password into every SmsMes.
            try await again.sendRaw(
                seedFrame(
                    "SmsMes",
                    #"{"content":"hello","userid":42,"userpwd":"\#(password)","username":"","userstatus":0}"#
                )
            )
            _ = try await again.next(Pick.smsResult)

            let stored = try await d.redis.command(["HGET", "chat:user:42", "password"]).string ?? ""
            let log = d.chatd.output
            #expect(log.contains("logged in"), "the log is not being captured")
            for secret in [password, wrong, token, stored, String(stored.split(separator: "$").last ?? "-")] {
                #expect(!log.contains(secret), "a secret reached the log")
            }
        }
    }
}

/// A Redis URL with a password, if it is bad, is quoted without the password.
@Suite(.integration) struct RedisURLSecretTests {
    static let url = "redis://:s3cret-pw@localhost:notaport"

    @Test func checkConfigQuotesTheURLWithoutItsPassword() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "chatd-secret-\(UUID().uuidString).conf"
        ).path
        try "redis_url = \(Self.url)\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CHATD_") }
        // From the file, the environment and the flag.
        let fromFile = try await runToCompletion(
            productPath("chatd"),
            ["--check-config", "--config", path],
            environment: environment
        )
        environment["CHATD_REDIS_URL"] = Self.url
        let fromEnvironment = try await runToCompletion(
            productPath("chatd"),
            ["--check-config", "--config", "/dev/null"],
            environment: environment
        )
        let fromFlag = try await runToCompletion(
            productPath("chatd"),
            ["--check-config", "--config", "/dev/null", "--redis", Self.url]
        )
        for result in [fromFile, fromEnvironment, fromFlag] {
            #expect(result.status == 1)
            #expect(!result.output.contains("s3cret"), "\(result.output)")
            #expect(
                result.output.contains(#""redis://***@localhost:notaport": invalid Redis URL: port must be"#),
                "\(result.output)"
            )
        }
        // Each names where the value came from.
        #expect(fromFile.output.contains(#"\#(path):1: redis_url = "redis://***@"#), "\(fromFile.output)")
        #expect(fromEnvironment.output.contains(#"CHATD_REDIS_URL="redis://***@"#), "\(fromEnvironment.output)")
        #expect(fromFlag.output.contains(#"--redis "redis://***@"#), "\(fromFlag.output)")
    }
}
