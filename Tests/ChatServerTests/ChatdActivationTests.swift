// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import ChatTesting
import Foundation
import NIOConcurrencyHelpers
import TestTier
import Testing

/// chatd started the way systemd starts it: by the real `systemd-socket-activate`, with
/// both sockets passed by name, a test-owned NOTIFY_SOCKET and a watchdog interval.
@Suite(.integration) struct ChatdActivationTests {
    struct Activated {
        let process: SpawnedProcess
        let log: NIOLockedValueBox<String>
        let port: Int
        let configPath: String
        let notify: NotifySocket
        let directory: String

        /// Reads notifications until one satisfies `done`; returns all read, in order.
        func notifications(until done: (String) -> Bool) async throws -> [String] {
            var seen: [String] = []
            while let datagram = try await notify.receive(timeout: .seconds(20)) {
                seen.append(datagram)
                if done(datagram) { return seen }
            }
            Issue.record("no matching notification; got \(seen); chatd said: \(log.withLockedValue { $0 })")
            return seen
        }

        func cleanUp() async throws {
            kill(process.pid, SIGKILL)
            _ = try await process.exited.get()
            try await notify.shutdown()
            TestSockets.removeDirectory(directory)
        }
    }

    static func activate(
        redis: RedisServerProcess,
        names: [String] = ["chat", "control"],
        config: String = ""
    ) async throws -> Activated {
        let directory = try TestSockets.temporaryDirectory()
        let notify = try NotifySocket()
        let configPath = directory + "/chatd.conf"
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        let port = freeLoopbackPort()
        let (process, log) = try await ChatdProcess.activated(
            listen: ["127.0.0.1:\(port)", directory + "/control.sock"],
            names: names,
            configPath: configPath,
            redisURL: redis.url,
            environment: ["NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "400000"]
        )
        return Activated(
            process: process,
            log: log,
            port: port,
            configPath: configPath,
            notify: notify,
            directory: directory
        )
    }

    @Test func activationReadinessStatusWatchdogReloadAndStop() async throws {
        try await RedisServerProcess.with { redis in
            let chatd = try await Self.activate(redis: redis)
            do {
                // The connection that triggers activation is served.
                let ann = try await TestChatClient.connect(port: chatd.port)
                #expect(try await ann.register(1, name: "ann", password: "pw").code == 200)
                #expect(try await ann.login(1, password: "pw").0.code == 200)

                let untilReady = try await chatd.notifications { $0 == "READY=1" }
                #expect(untilReady.last == "READY=1")
                #expect(chatd.log.withLockedValue { $0 }.contains("socket_activated=true"))

                // STATUS follows the session count; pings keep coming while the loops turn.
                let untilStatus = try await chatd.notifications { $0 == "STATUS=1 sessions, 1 users online, Redis up" }
                #expect(untilStatus.last?.hasPrefix("STATUS=") == true)
                var pings = 0
                _ = try await chatd.notifications { datagram in
                    if datagram == "WATCHDOG=1" { pings += 1 }
                    return pings == 3
                }
                #expect(pings == 3)

                // The backlog systemd-socket-activate configured survived NIO's adoption.
                let ss = try await runToCompletion("/usr/bin/ss", ["-Hltn", "sport = :\(chatd.port)"])
                let sendQ = ss.output.split(whereSeparator: \.isWhitespace).dropFirst(2).first.flatMap { Int($0) }
                #expect(sendQ == Int(systemSomaxconnForTests()), "ss said: \(ss.output)")

                // SIGHUP with a good file: RELOADING=1 with MONOTONIC_USEC, READY=1, and the change applies.
                try "motd = \"welcome back\"\n".write(toFile: chatd.configPath, atomically: true, encoding: .utf8)
                kill(chatd.process.pid, SIGHUP)
                let reload = try await chatd.notifications { $0.hasPrefix("RELOADING=1") }
                let reloading = try #require(reload.last)
                #expect(reloading.contains("\nMONOTONIC_USEC="))
                _ = try await chatd.notifications { $0 == "READY=1" }
                let bob = try await TestChatClient.connect(port: chatd.port)
                _ = try await bob.register(2, name: "bob", password: "pw")
                _ = try await bob.login(2, password: "pw")
                #expect(try await bob.next(Pick.sms).content == "welcome back")

                // SIGHUP with a broken file: still READY, the running configuration stays.
                try "motd = \"x\"\nidle_timeout = soon\n".write(
                    toFile: chatd.configPath,
                    atomically: true,
                    encoding: .utf8
                )
                kill(chatd.process.pid, SIGHUP)
                _ = try await chatd.notifications { $0.hasPrefix("RELOADING=1") }
                _ = try await chatd.notifications { $0 == "READY=1" }
                #expect(chatd.log.withLockedValue { $0 }.contains("reload failed"))
                let carol = try await TestChatClient.connect(port: chatd.port)
                _ = try await carol.register(3, name: "carol", password: "pw")
                _ = try await carol.login(3, password: "pw")
                #expect(try await carol.next(Pick.sms).content == "welcome back")

                // SIGTERM: STOPPING=1, then exit 0.
                kill(chatd.process.pid, SIGTERM)
                _ = try await chatd.notifications { $0 == "STOPPING=1" }
                #expect(try await chatd.process.exited.get() == 0)
                try await chatd.notify.shutdown()
                TestSockets.removeDirectory(chatd.directory)
            } catch {
                Issue.record("chatd said: \(chatd.log.withLockedValue { $0 })")
                try await chatd.cleanUp()
                throw error
            }
        }
    }

    /// Sockets named other than `chat` and `control`: a clear error and a non-zero exit.
    @Test func unexpectedSocketNameIsAClearError() async throws {
        try await RedisServerProcess.with { redis in
            let chatd = try await Self.activate(redis: redis, names: ["chat", "admin"])
            // Activation happens at the first connection.
            _ = try? await TestChatClient.connect(port: chatd.port)
            let status = try await chatd.process.exited.get()
            #expect(status != 0)
            #expect(chatd.log.withLockedValue { $0 }.contains("admin"))
            try await chatd.notify.shutdown()
            TestSockets.removeDirectory(chatd.directory)
        }
    }
}

/// What systemd-socket-activate asks for: SOMAXCONN, capped by the kernel's somaxconn.
func systemSomaxconnForTests() -> Int32 {
    let text = (try? String(contentsOfFile: "/proc/sys/net/core/somaxconn", encoding: .utf8)) ?? "4096"
    return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 4096
}
