import ChatProtocol
import ChatTesting
import Testing

/// Passwords, hashes and tokens never reach the log, even at the most verbose level.
@Suite struct SecretsTests {
    @Test func noSecretInTheLogAtTraceLevel() async throws {
        let password = "correct-horse-battery-staple"
        let wrong = "Tr0ub4dor&3"
        try await withDeployment(environment: ["CHATD_LOG_LEVEL": "trace"]) { d in
            let client = try await d.client()
            _ = try await client.register(42, name: "ann", password: password)
            _ = try await client.login(42, password: wrong)
            let (login, _) = try await client.login(42, password: password)
            let token = try #require(login.token)
            let again = try await d.client()
            try await again.send(.login(LoginMes(userid: 42, userpwd: "", token: token)))
            #expect(try await again.next(Pick.login).code == 200)
            // A seed client puts its password into every SmsMes.
            try await again.sendRaw(seedFrame("SmsMes", #"{"content":"hello","userid":42,"userpwd":"\#(password)","username":"","userstatus":0}"#))
            _ = try await again.next(Pick.smsResult)

            let stored = try await runRedisCommand(d.redis, ["HGET", "chat:user:42", "password"]).string ?? ""
            let log = d.chatd.output
            #expect(log.contains("logged in"), "the log is not being captured")
            for secret in [password, wrong, token, stored, String(stored.split(separator: "$").last ?? "-")] {
                #expect(!log.contains(secret), "a secret reached the log")
            }
        }
    }
}
