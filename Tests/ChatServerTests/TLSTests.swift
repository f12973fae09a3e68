// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import ChatTesting
import Foundation
import NIOConcurrencyHelpers
import NIOSSL
import TestTier
import Testing

/// chatd with a TLS listener beside the plain one: same protocol, same hub.
@Suite(.integration) struct TLSTests {
    @Test func tlsAndPlainClientsChatTogether() async throws {
        let certs = try await TestCertificates.make()
        defer { certs.remove() }
        try await Deployment.with(config: certs.chatdConfig) { d in
            let tlsPort = try #require(d.chatd.tlsPort, "no tls_listen in: \(d.chatd.output)")
            #expect(tlsPort != d.chatd.port)

            let ann = try await TestChatClient.connect(port: tlsPort, caFile: certs.caCertificate)
            #expect(try await ann.register(100, name: "ann", password: "pw").code == StatusCode.ok)
            #expect(try await ann.login(100, password: "pw").0.code == StatusCode.ok)
            let bob = try await d.user(200, "bob")
            #expect(try await ann.next(Pick.notify).userid == 200)

            try await ann.send(.sms(SmsMes(content: "from TLS")))
            #expect(try await ann.next(Pick.smsResult).code == StatusCode.ok)
            #expect(try await bob.next(Pick.sms).content == "from TLS")
            try await bob.send(.sms(SmsMes(content: "from plain")))
            #expect(try await bob.next(Pick.smsResult).code == StatusCode.ok)
            #expect(try await ann.next(Pick.sms).content == "from plain")

            // By name too: the certificate is for localhost.
            let carol = try await TestChatClient.connect(
                port: tlsPort,
                tls: TestCertificates.clientContext(trusting: certs.caCertificate),
                serverHostname: "localhost"
            )
            try await carol.send(.ping(PingMes()))
            _ = try await carol.next(Pick.pong)
            await carol.close()
            await ann.close()
            await bob.close()
        }
    }

    /// A seed-style client on the TLS port gets closed; nobody else notices.
    @Test func plainClientOnTLSPortIsDisconnectedHarmlessly() async throws {
        let certs = try await TestCertificates.make()
        defer { certs.remove() }
        try await Deployment.with(config: certs.chatdConfig) { d in
            let tlsPort = try #require(d.chatd.tlsPort)
            let ann = try await TestChatClient.connect(port: tlsPort, caFile: certs.caCertificate)
            _ = try await ann.register(100, name: "ann", password: "pw")
            #expect(try await ann.login(100, password: "pw").0.code == StatusCode.ok)

            let plain = try await TestChatClient.connect(port: tlsPort)
            try? await plain.sendRaw(
                seedFrame("RegisterMes", #"{"user":{"userid":300,"userpwd":"pw","username":"x","userstatus":0}}"#)
            )
            do {
                let before = try await plain.collectUntilClosed()
                #expect(before.isEmpty, "a plain client on the TLS port got \(before)")
            } catch {
                // The server's TLS alert is not a chat frame: undecodable, then closed. Either way: out.
            }

            // A wrong CA: the handshake fails on the client's side; the server goes on.
            let doubter = try await TestChatClient.connect(port: tlsPort, caFile: certs.otherCACertificate)
            try? await doubter.send(.ping(PingMes()))
            await #expect(throws: NIOSSLError.self) { _ = try await doubter.next() }

            let bob = try await d.user(200, "bob")
            #expect(try await ann.next(Pick.notify).userid == 200)
            try await bob.send(.sms(SmsMes(content: "still here")))
            #expect(try await ann.next(Pick.sms).content == "still here")
            try await ann.send(.onlineUsers)
            #expect(try await ann.next(Pick.online).users.map(\.userid) == [100, 200])
        }
    }

    @Test func checkConfigNamesTheBrokenTLSFile() async throws {
        let certs = try await TestCertificates.make()
        defer { certs.remove() }
        func check(_ config: String) async throws -> (status: Int32, output: String) {
            let path = certs.directory + "/check-\(UUID().uuidString).conf"
            try config.write(toFile: path, atomically: true, encoding: .utf8)
            return try await runToCompletion(productPath("chatd"), ["--check-config", "--config", path])
        }
        var result = try await check(certs.chatdConfig)
        #expect(result.status == 0, "\(result.output)")

        let missing = certs.directory + "/no-such.key"
        result = try await check(
            "tls_listen = 127.0.0.1:0\ntls_certificate = \(certs.serverCertificate)\ntls_key = \(missing)\n"
        )
        #expect(result.status == 1)
        #expect(
            result.output.contains("tls_key = \"\(missing)\": cannot read the file: No such file or directory"),
            "\(result.output)"
        )
        #expect(result.output.split(separator: "\n").count == 1)

        result = try await check(
            "tls_listen = 127.0.0.1:0\ntls_certificate = \(certs.serverCertificate)\ntls_key = \(certs.otherKey)\n"
        )
        #expect(result.status == 1)
        #expect(result.output.contains("does not match the certificate \(certs.serverCertificate)"), "\(result.output)")

        result = try await check("tls_certificate = \(certs.serverKey)\ntls_key = \(certs.serverKey)\n")
        #expect(result.status == 1)
        #expect(result.output.contains("tls_certificate = \"\(certs.serverKey)\""), "\(result.output)")

        result = try await check("tls_listen = 127.0.0.1:0\n")
        #expect(result.status == 1)
        #expect(result.output.contains("needs tls_certificate and tls_key"), "\(result.output)")
    }

    /// The third socket, named chat-tls, from systemd-socket-activate: TLS on it, plain on chat.
    @Test func socketActivatedTLSListener() async throws {
        let certs = try await TestCertificates.make()
        defer { certs.remove() }
        try await RedisServerProcess.with { redis in
            let directory = try TestSockets.temporaryDirectory()
            defer { TestSockets.removeDirectory(directory) }
            // No tls_listen: the TLS socket comes from systemd only.
            let configPath = directory + "/chatd.conf"
            try "tls_certificate = \(certs.serverCertificate)\ntls_key = \(certs.serverKey)\n"
                .write(toFile: configPath, atomically: true, encoding: .utf8)
            let plainPort = freeLoopbackPort()
            var tlsPort = freeLoopbackPort()
            while tlsPort == plainPort { tlsPort = freeLoopbackPort() }
            let (process, log) = try await ChatdProcess.activated(
                listen: ["127.0.0.1:\(plainPort)", directory + "/control.sock", "127.0.0.1:\(tlsPort)"],
                names: ["chat", "control", "chat-tls"],
                configPath: configPath,
                redisURL: redis.url
            )
            do {
                // The first connection, on the TLS socket, starts chatd and is served.
                let ann = try await TestChatClient.connect(port: tlsPort, caFile: certs.caCertificate)
                #expect(try await ann.register(100, name: "ann", password: "pw").code == StatusCode.ok)
                #expect(try await ann.login(100, password: "pw").0.code == StatusCode.ok)
                let output = log.withLockedValue { $0 }
                #expect(output.contains("socket_activated=true"), "\(output)")
                #expect(output.contains("tls_listen="), "\(output)")

                let bob = try await TestChatClient.connect(port: plainPort)
                _ = try await bob.register(200, name: "bob", password: "pw")
                #expect(try await bob.login(200, password: "pw").0.code == StatusCode.ok)
                try await bob.send(.sms(SmsMes(content: "plain to TLS")))
                #expect(try await ann.next(Pick.sms).content == "plain to TLS")

                kill(process.pid, SIGTERM)
                #expect(try await process.exited.get() == 0)
            } catch {
                kill(process.pid, SIGKILL)
                _ = try? await process.exited.get()
                throw error
            }
        }
    }
}
