// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import ChatTesting
import Foundation
import RedisClient
import TestTier
import Testing

/// What an attacker on the chat port tries with accounts, against the real chatd.
@Suite(.integration) struct AccountSecurityTests {
    /// Closed registration (the built-in default) refuses before any work and stores nothing.
    @Test func closedRegistrationRefusesAndStoresNothing() async throws {
        try await Deployment.with(environment: ["CHATD_REGISTRATION": "closed"]) { deployment in
            let client = try await deployment.client()
            let refused = try await client.register(5, name: "eve", password: "pw")
            #expect(refused.code == StatusCode.wrongPassword)
            #expect(refused.error.contains("registration is closed"))
            #expect(try await deployment.redis.command(["EXISTS", "chat:user:5"]).int == 0)
            await client.close()
        }
    }

    /// Every attempt counts against the address, refused ones too: asking for taken ids
    /// again and again is not free.
    @Test func everyRegistrationAttemptCountsAgainstTheAddress() async throws {
        try await Deployment.with(environment: ["CHATD_REGISTRATIONS_PER_ADDRESS": "3"]) { deployment in
            let client = try await deployment.client()
            #expect(try await client.register(1, name: "ann", password: "pw").code == StatusCode.ok)
            for _ in 0..<2 {
                let taken = try await client.register(1, name: "ann", password: "pw")
                #expect(taken.code == StatusCode.badRequest)
            }
            let throttled = try await client.register(2, name: "bob", password: "pw")
            #expect(throttled.code == StatusCode.rateLimited)
            #expect(try await deployment.redis.command(["EXISTS", "chat:user:2"]).int == 0)
            await client.close()
        }
    }

    /// A flood of password logins at the real cost is not queued without end: what the
    /// hasher cannot get through in about two seconds is answered 503 "busy" at once.
    @Test func aLoginFloodGetsBusyInsteadOfAQueue() async throws {
        try await Deployment.with(environment: [
            "CHATD_SCRYPT_N": "131072", "CHATD_LOGIN_FAILURES_PER_USER": "0",
            "CHATD_LOGIN_FAILURES_PER_ADDRESS": "0", "CHATD_REGISTRATIONS_PER_ADDRESS": "0",
            "CHATD_CONNECTIONS_PER_ADDRESS": "0",
        ]) { deployment in
            let ann = try await deployment.client()
            // One hash at the real cost: slow on a loaded machine, so a generous wait.
            try await ann.send(.register(RegisterMes(user: User(userid: 1, userpwd: "pw", username: "ann"))))
            #expect(try await ann.next(Pick.register, timeout: .seconds(120)).code == StatusCode.ok)
            await ann.close()
            var clients: [TestChatClient] = []
            for _ in 0..<40 { clients.append(try await deployment.client()) }
            for client in clients { try await client.send(.login(LoginMes(userid: 1, userpwd: "wrong"))) }
            var codes: [Int] = []
            for client in clients {
                let reply = try await client.next(Pick.login, timeout: .seconds(120))
                codes.append(reply.code)
                if reply.code == StatusCode.storeUnavailable { #expect(reply.error.contains("busy")) }
                await client.close()
            }
            #expect(codes.count == 40)
            #expect(codes.contains(StatusCode.storeUnavailable))
            #expect(codes.contains(StatusCode.wrongPassword))
            #expect(codes.allSatisfy { $0 == StatusCode.storeUnavailable || $0 == StatusCode.wrongPassword })
        }
    }

    /// A LogoutMes ends the tokens that client had: the one it logged in with and the one
    /// it was given. A token of another login (another device) still works.
    @Test func logoutRevokesTheSessionsTokens() async throws {
        try await Deployment.with { deployment in
            _ = try await deployment.user(1, "ann").close()
            let first = try await deployment.client()
            let (login, _) = try await first.login(1, password: "pw")
            let original = try #require(login.token)
            await first.close()
            let otherDevice = try await deployment.client()
            let otherToken = try #require(try await otherDevice.login(1, password: "pw").0.token)
            await otherDevice.close()

            let resumed = try await deployment.client()
            try await resumed.send(.login(LoginMes(userid: 1, userpwd: "", token: original)))
            let resumedReply = try await resumed.next(Pick.login)
            #expect(resumedReply.code == StatusCode.ok)
            let given = try #require(resumedReply.token)
            try await resumed.send(.logout)
            _ = try await resumed.collectUntilClosed()
            // The revocation is written as the session ends; the client saw the close first.
            #expect(
                try await waitForRedis(deployment.redis, ["KEYS", "chat:revoked:1:*"]) { ($0.array?.count ?? 0) == 1 }
            )

            for token in [original, given] {
                let again = try await deployment.client()
                try await again.send(.login(LoginMes(userid: 1, userpwd: "", token: token)))
                let reply = try await again.next(Pick.login)
                #expect(reply.code == StatusCode.wrongPassword)
                #expect(reply.error.contains("invalid or expired token"))
                await again.close()
            }
            let stillValid = try await deployment.client()
            try await stillValid.send(.login(LoginMes(userid: 1, userpwd: "", token: otherToken)))
            #expect(try await stillValid.next(Pick.login).code == StatusCode.ok)
            await stillValid.close()
        }
    }

    /// With the token key as a systemd credential, Redis holds nothing that signs tokens,
    /// and tokens still work.
    @Test func theTokenKeyComesFromTheCredentialsDirectory() async throws {
        let credentials = FileManager.default.temporaryDirectory.appendingPathComponent("creds-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: credentials, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: credentials) }
        try "c2VjcmV0LXRva2VuLWtleS1mb3ItdGVzdHMtb25seS0xMjM0NTY3OA==\n"
            .write(to: credentials.appendingPathComponent("token-key"), atomically: true, encoding: .utf8)
        try await Deployment.with(environment: ["CREDENTIALS_DIRECTORY": credentials.path]) { deployment in
            #expect(!deployment.chatd.output.contains("no token key file"))
            let ann = try await deployment.client()
            _ = try await ann.register(1, name: "ann", password: "pw")
            let token = try #require(try await ann.login(1, password: "pw").0.token)
            await ann.close()
            let resumed = try await deployment.client()
            try await resumed.send(.login(LoginMes(userid: 1, userpwd: "", token: token)))
            #expect(try await resumed.next(Pick.login).code == StatusCode.ok)
            await resumed.close()
            #expect(try await deployment.redis.command(["EXISTS", "chat:secret:token"]).int == 0)
        }
    }

    /// A key too short to be a secret is a configuration error, named, before anything starts.
    @Test func aShortTokenKeyIsRefused() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("short-key-\(UUID().uuidString)")
        try "short".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        var environment = ProcessInfo.processInfo.environment
        environment["CHATD_TOKEN_KEY_FILE"] = file.path
        let result = try await runToCompletion(
            productPath("chatd"),
            ["--check-config", "--config", "/dev/null"],
            environment: environment
        )
        #expect(result.status == 1)
        #expect(result.output.contains("at least 32 bytes"))
        #expect(!result.output.contains("short\n"))
    }

    /// The Redis password can come from a credential file instead of redis_url.
    @Test func theRedisPasswordComesFromTheCredentialsDirectory() async throws {
        try await RedisServerProcess.with { redis in
            try await redis.command(["CONFIG", "SET", "requirepass", "r3dis-pw"])
            let credentials = FileManager.default.temporaryDirectory.appendingPathComponent(
                "creds-\(UUID().uuidString)"
            )
            try FileManager.default.createDirectory(at: credentials, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: credentials) }
            try "r3dis-pw\n".write(
                to: credentials.appendingPathComponent("redis-password"),
                atomically: true,
                encoding: .utf8
            )
            let chatd = try await ChatdProcess.start(
                redisURL: redis.url,
                environment: ["CREDENTIALS_DIRECTORY": credentials.path]
            )
            let client = try await TestChatClient.connect(port: chatd.port)
            #expect(try await client.register(1, name: "ann", password: "pw").code == StatusCode.ok)
            await client.close()
            #expect(!chatd.output.contains("r3dis-pw"))
            try await chatd.stop()
            // The server's own teardown needs the password too.
            var authed = try RedisConfiguration(url: redis.url)
            authed.password = "r3dis-pw"
            let admin = RedisClient(configuration: authed)
            _ = try await admin.send(["CONFIG", "SET", "requirepass", ""])
            await admin.shutdown()
        }
    }
}

/// Asks Redis until `done` holds for the reply (for what the server writes after the
/// client has seen its answer). False when it never did.
func waitForRedis(
    _ server: RedisServerProcess,
    _ command: [String],
    until done: (RESPValue) -> Bool
) async throws -> Bool {
    for _ in 0..<200 {
        if done(try await server.command(command)) { return true }
        try await Task.sleep(for: .milliseconds(25))  // between questions, not instead of one
    }
    return false
}
