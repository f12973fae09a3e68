// SPDX-License-Identifier: Apache-2.0
import ChatTesting
import Foundation
import NIOPosix
import RedisClient
import TestTier
import Testing

/// `rediss://` against a real redis-server with TLS on: verified against the CA we name,
/// refused when the certificate is not one we trust.
@Suite(.integration) struct RedisTLSTests {
    /// Turns TLS on in a running redis-server (Redis 6+ takes these at run time) on a free port.
    static func enableTLS(_ server: RedisServerProcess, _ certificates: TestCertificates) async throws -> Int {
        let admin = RedisClient(configuration: try RedisConfiguration(url: server.url))
        do {
            _ = try await admin.send([
                "CONFIG", "SET", "tls-cert-file", certificates.serverCertificate,
                "tls-key-file", certificates.serverKey, "tls-ca-cert-file", certificates.caCertificate,
                "tls-auth-clients", "no",
            ])
            let port = freeLoopbackPort()
            _ = try await admin.send(["CONFIG", "SET", "tls-port", String(port)])
            await admin.shutdown()
            return port
        } catch {
            await admin.shutdown()
            throw error
        }
    }

    @Test func aTrustedServerAnswersAndAnUntrustedOneIsRefused() async throws {
        let certificates = try await TestCertificates.make()
        defer { certificates.remove() }
        try await RedisServerProcess.with { server in
            let port = try await Self.enableTLS(server, certificates)
            for host in ["127.0.0.1"] {
                var trusted = try RedisConfiguration(url: "rediss://\(host):\(port)")
                trusted.tls?.caFile = certificates.caCertificate
                let client = RedisClient(configuration: trusted)
                try await client.ping()
                #expect(try await client.send(["SET", "over-tls", "yes"]).string == "OK")
                await client.shutdown()
            }

            var untrusted = try RedisConfiguration(url: "rediss://127.0.0.1:\(port)")
            untrusted.tls?.caFile = certificates.otherCACertificate
            untrusted.reconnectBackoffMin = .milliseconds(10)
            let refused = RedisClient(configuration: untrusted)
            await #expect(throws: RedisError.self) { try await refused.ping() }
            await refused.shutdown()

            #expect(try RedisConfiguration(url: "redis://localhost:\(port)").tls == nil)
        }
    }
}

/// chatd itself over `rediss://`, with the CA from its config.
@Suite(.integration) struct ChatdOverRedisTLSTests {
    @Test func chatdServesWithRedisOverTLS() async throws {
        let certificates = try await TestCertificates.make()
        defer { certificates.remove() }
        try await RedisServerProcess.with { server in
            let port = try await RedisTLSTests.enableTLS(server, certificates)
            let chatd = try await ChatdProcess.start(
                redisURL: "rediss://127.0.0.1:\(port)",
                environment: ["CHATD_REDIS_TLS_CA_FILE": certificates.caCertificate]
            )
            let client = try await TestChatClient.connect(port: chatd.port)
            #expect(try await client.register(1, name: "ann", password: "pw").code == 200)
            await client.close()
            try await chatd.stop()

            var environment = ProcessInfo.processInfo.environment
            environment["CHATD_REDIS_TLS_CA_FILE"] = certificates.caCertificate
            let plain = try await runToCompletion(
                productPath("chatd"),
                [
                    "--check-config", "--config", "/dev/null",
                    "--redis", "redis://:pw@localhost:\(port)",
                ],
                environment: environment
            )
            #expect(plain.status == 1)
            #expect(plain.output.contains("use a rediss:// URL"))
            #expect(!plain.output.contains(":pw@"))
        }
    }
}
