// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import ChatTesting
import Foundation
import TestTier
import Testing

@Suite(.integration) struct LifecycleTests {
    /// SIGTERM and SIGINT: every session is told, then chatd exits 0.
    @Test(arguments: [SIGTERM, SIGINT])
    func signalDrainsAndExitsZero(signal: Int32) async throws {
        try await RedisServerProcess.with { redis in
            let chatd = try await ChatdProcess.start(redisURL: redis.url)
            let d = Deployment(redis: redis, chatd: chatd)
            let ann = try await d.user(1, "ann")
            let stranger = try await d.client()
            // A round trip, so the server surely holds the connection.
            try await stranger.send(.ping(PingMes()))
            _ = try await stranger.next(Pick.pong)
            kill(chatd.pid, signal)
            #expect(
                try await ann.collectUntilClosed().compactMap(Pick.kicked).map(\.reason) == ["server shutting down"]
            )
            #expect(try await stranger.collectUntilClosed().compactMap(Pick.kicked).count == 1)
            #expect(try await chatd.waitForExit() == 0)
        }
    }

    /// A stop while a message is on its way (no fd store: every session is kicked) loses
    /// nothing for those who come back: each message acknowledged to its sender reaches
    /// every other user, before the kick or in their next OfflineMes.
    @Test(.timeLimit(.minutes(2))) func aStopLosesNoAcknowledgedMessage() async throws {
        try await RedisServerProcess.with { redis in
            let environment = [
                "CHATD_RATE_LIMIT": "0", "CHATD_PRESENCE_GRACE": "0", "CHATD_REGISTRATIONS_PER_ADDRESS": "0",
            ]
            let chatd = try await ChatdProcess.start(redisURL: redis.url, environment: environment)
            let d = Deployment(redis: redis, chatd: chatd)
            var listeners: [TestChatClient] = []
            for id in 1...20 { listeners.append(try await d.user(id, "l\(id)")) }
            let sender = try await d.user(100, "sender")
            let acked = Task {
                var ids: [String] = []
                while ids.count < 500 {
                    do {
                        try await sender.send(.sms(SmsMes(content: "m\(ids.count)")))
                        let ack = try await sender.next(Pick.smsResult)
                        if ack.code == StatusCode.ok, let id = ack.id { ids.append(id) }
                    } catch {
                        break  // kicked
                    }
                    if ids.count == 20 { kill(chatd.pid, SIGTERM) }
                }
                return ids
            }
            var received: [[String]] = []
            for listener in listeners {
                received.append(try await listener.collectUntilClosed().compactMap(Pick.sms).compactMap(\.id))
            }
            let sent = await acked.value
            #expect(try await chatd.waitForExit() == 0)
            #expect(sent.count >= 20)

            let again = Deployment(
                redis: redis,
                chatd: try await ChatdProcess.start(redisURL: redis.url, environment: environment)
            )
            for (index, live) in received.enumerated() {
                let (login, offline) = try await again.client().login(index + 1, password: "pw")
                #expect(login.code == StatusCode.ok)
                let seen = Set(live).union(offline?.messages.map(\.id) ?? [])
                let missing = sent.filter { !seen.contains($0) }
                #expect(
                    missing.isEmpty,
                    "user \(index + 1) never got \(missing.count) of \(sent.count) acknowledged messages"
                )
            }
            try await again.chatd.stop()
        }
    }

    @Test func idleSessionIsClosed() async throws {
        try await Deployment.with(environment: ["CHATD_IDLE_TIMEOUT": "3"]) { d in
            let ann = try await d.user(1, "ann")
            #expect(try await ann.collectUntilClosed().compactMap(Pick.kicked).map(\.reason) == ["idle timeout"])
        }
    }

    @Test func unauthenticatedConnectionMustLogInInTime() async throws {
        try await Deployment.with(environment: ["CHATD_LOGIN_TIMEOUT": "1"]) { d in
            let lurker = try await d.client()
            let errors = try await lurker.collectUntilClosed().compactMap(Pick.error)
            #expect(errors.map(\.code) == [401])
            #expect(errors.first?.error == "not logged in within the time limit")
        }
    }

    @Test func helpDocumentsTheFlags() async throws {
        let (status, output) = try await runToCompletion(productPath("chatd"), ["--help"])
        #expect(status == 0)
        for flag in ["--config", "--listen", "--control-socket", "--redis", "--check-config"] {
            #expect(output.contains(flag), "--help lacks \(flag)")
        }
    }

    @Test func checkConfig() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "chatd-check-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let good = directory.appendingPathComponent("good.conf").path
        let bad = directory.appendingPathComponent("bad.conf").path
        try "# a comment\nlisten = 127.0.0.1:9999\nidle_timeout = 30\n".write(
            toFile: good,
            atomically: true,
            encoding: .utf8
        )
        try "idle_timeout = soon\n".write(toFile: bad, atomically: true, encoding: .utf8)

        let ok = try await runToCompletion(productPath("chatd"), ["--check-config", "--config", good])
        #expect(ok.status == 0)
        let broken = try await runToCompletion(productPath("chatd"), ["--check-config", "--config", bad])
        #expect(broken.status == 1)
        #expect(broken.output.contains("idle_timeout"))
        let missing = try await runToCompletion(
            productPath("chatd"),
            ["--check-config", "--config", directory.appendingPathComponent("nope").path]
        )
        #expect(missing.status == 1)
        let badFlag = try await runToCompletion(
            productPath("chatd"),
            ["--check-config", "--config", good, "--listen", "nowhere"]
        )
        #expect(badFlag.status == 1)
    }
}
