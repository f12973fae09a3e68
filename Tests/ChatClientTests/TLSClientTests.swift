// SPDX-License-Identifier: Apache-2.0
import ChatClient
import ChatProtocol
import ChatTesting
import Foundation
import TestTier
import Testing

/// `tls`/`ca_file` settings: flags > environment > file, and a CA file implies TLS.
@Suite struct TLSConfigTests {
    @Test func tlsSettingsResolve() throws {
        func resolve(
            _ flags: ConfigLayer = ConfigLayer(),
            _ env: ConfigLayer = ConfigLayer(),
            _ file: ConfigLayer = ConfigLayer()
        ) throws -> ClientTLS? {
            try ClientConfig.resolve(flags: flags, environment: env, file: file).tls
        }
        #expect(try resolve() == nil)
        #expect(try resolve(ConfigLayer(tls: "true")) == ClientTLS(caFile: nil))
        #expect(
            try resolve(ConfigLayer(), ConfigLayer.environment(["CHAT_TLS": "1", "CHAT_CA_FILE": "/ca.pem"]))
                == ClientTLS(caFile: "/ca.pem")
        )
        #expect(
            try resolve(ConfigLayer(caFile: "/flag.pem"), ConfigLayer(), ConfigLayer(tls: "yes", caFile: "/file.pem"))
                == ClientTLS(caFile: "/flag.pem")
        )
        #expect(
            try resolve(ConfigLayer(), ConfigLayer(), ConfigLayer(caFile: "/file.pem"))
                == ClientTLS(caFile: "/file.pem")
        )
        #expect(
            try resolve(ConfigLayer(tls: "false"), ConfigLayer(), ConfigLayer(tls: "true", caFile: "/file.pem")) == nil
        )
        let file = try ConfigLayer.file("tls = on\nca_file = /etc/chat/ca.pem\n", path: "cfg")
        #expect(
            file == ConfigLayer(tls: "on", caFile: "/etc/chat/ca.pem", origins: ["tls": "cfg:1", "ca_file": "cfg:2"])
        )
        #expect(throws: ChatFailure(.usage, "invalid tls setting `maybe` (expected true or false)")) {
            try resolve(ConfigLayer(tls: "maybe"))
        }
    }
}

/// The built `chat` over TLS against a real chatd with a TLS listener.
@Suite(.integration) struct TLSClientTests {
    @Test func chatOverTLS() async throws {
        let certs = try await TestCertificates.make()
        defer { certs.remove() }
        try await RedisServerProcess.with { redis in
            let chatd = try await ChatdProcess.start(redisURL: redis.url, config: certs.chatdConfig)
            do {
                try await self.scenario(chatd: chatd, certs: certs)
            } catch {
                try await chatd.stop()
                throw error
            }
            try await chatd.stop()
        }
    }

    func scenario(chatd: ChatdProcess, certs: TestCertificates) async throws {
        let tlsPort = try #require(chatd.tlsPort, "no tls_listen in: \(chatd.output)")
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("chat-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }
        let cli = EndToEndTests.CLI(server: "127.0.0.1:\(tlsPort)", home: home)
        let pw = try cli.passwordFile("ann.pw", "ann-secret")
        let ca = certs.caCertificate

        var r = try await cli.run([
            "register", "--user", "100", "--name", "ann", "--password-file", pw, "--tls", "--ca-file", ca,
        ])
        #expect(r.status == 0, "\(r.stderr)")
        r = try await cli.run(["who", "--tls", "--ca-file", ca, "--user", "100", "--password-file", pw])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("ann"), "\(r.stdout)")
        // By name: the certificate names localhost too.
        r = try await cli.run([
            "who", "--ca-file", ca, "--user", "100", "--password-file", pw, "--server", "localhost:\(tlsPort)",
        ])
        #expect(r.status == 0, "\(r.stderr)")

        // The wrong CA: 5 and one line.
        r = try await cli.run([
            "who", "--tls", "--ca-file", certs.otherCACertificate, "--user", "100", "--password-file", pw,
        ])
        #expect(r.status == ExitStatus.untrusted.rawValue)
        #expect(
            r.stderr
                == "chat: TLS: the certificate of 127.0.0.1:\(tlsPort) does not verify against the CA file \(certs.otherCACertificate)\n"
        )
        // The system store does not know the test CA either.
        r = try await cli.run(["who", "--tls", "--user", "100", "--password-file", pw])
        #expect(r.status == ExitStatus.untrusted.rawValue, "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1)

        // From the environment, then from the config file.
        r = try await cli.run(
            ["who", "--user", "100", "--password-file", pw],
            env: ["CHAT_TLS": "1", "CHAT_CA_FILE": ca]
        )
        #expect(r.status == 0, "\(r.stderr)")
        let configDir = home.appendingPathComponent("chat")
        try FileManager.default.createDirectory(at: configDir, withIntermediateDirectories: true)
        try "tls = true\nca_file = \(ca)\nuser = 100\npassword_file = \(pw)\n"
            .write(to: configDir.appendingPathComponent("config"), atomically: true, encoding: .utf8)
        r = try await cli.run(["who"])
        #expect(r.status == 0, "\(r.stderr)")
        // The line mode too: a message in, and back out of the history.
        r = try await cli.run([], stdin: "hello over TLS\n")
        #expect(r.status == 0, "\(r.stderr)")
        r = try await cli.run(["history"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("hello over TLS"), "\(r.stdout)")

        // TLS to the plain port, plain to the TLS port: 69, one line each.
        r = try await cli.run(["who", "--server", "127.0.0.1:\(chatd.port)"])
        #expect(r.status == 69)
        #expect(r.stderr.hasPrefix("chat: TLS handshake with 127.0.0.1:\(chatd.port) failed"), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1)
        r = try await cli.run(["who", "--no-tls"])
        #expect(r.status == 69, "\(r.stderr)")
        #expect(r.stderr.contains("the server answered in TLS"), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1)

        // An unreadable CA file is a usage error.
        r = try await cli.run(["who", "--ca-file", home.path + "/nope.pem"])
        #expect(r.status == 2)
        #expect(r.stderr == "chat: cannot read the CA file \(home.path)/nope.pem\n")
    }
}
