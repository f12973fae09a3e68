// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import ChatTesting
import Foundation
import NIOConcurrencyHelpers
import NIOPosix
import RedisClient
import Testing

/// The soak: two nodes, users who come and go, admin kicks, a Redis crash and a chatd
/// restart, for `CHATD_SOAK_SECONDS` (not in CI; run with `scripts/soak`). Afterwards:
/// every acknowledged message is in history exactly once, no session is left in
/// presence, and the node that lived throughout is back near its starting memory.
@Suite struct SoakTests {
    static let seconds = Int(ProcessInfo.processInfo.environment["CHATD_SOAK_SECONDS"] ?? "") ?? 0

    @Test(.enabled(if: seconds > 0, "set CHATD_SOAK_SECONDS to run the soak"))
    func soak() async throws {
        try await RedisServerProcess.with(persistent: true) { redis in
            let environment = [
                "CHATD_PRESENCE_TTL": "3", "CHATD_RATE_LIMIT": "0", "CHATD_REDIS_TIMEOUT": "2",
                "CHATD_LOGIN_FAILURES_PER_ADDRESS": "0", "CHATD_REGISTRATIONS_PER_ADDRESS": "0",
                "CHATD_CONNECTIONS_PER_ADDRESS": "0",
            ]
            let steady = try await ChatdProcess.start(redisURL: redis.url, environment: environment)
            let restarting = NIOLockedValueBox(
                try await ChatdProcess.start(redisURL: redis.url, environment: environment)
            )
            defer {
                kill(steady.pid, SIGKILL)
                kill(restarting.withLockedValue { $0 }.pid, SIGKILL)
            }
            let users = 30
            let setup = try await TestChatClient.connect(port: steady.port)
            for id in 1...users { _ = try await setup.register(id, name: "user\(id)", password: "pw") }
            await setup.close()
            let baseline = Self.rss(of: steady.pid)

            let acked = NIOLockedValueBox([String: String]())
            let errors = NIOLockedValueBox([String: Int]())
            let stats = NIOLockedValueBox((sessions: 0, messages: 0, refused: 0, kicks: 0, broken: 0))
            let deadline = ContinuousClock.now + .seconds(Self.seconds)

            await withTaskGroup(of: Void.self) { group in
                for id in 1...users {
                    group.addTask {
                        var round = 0
                        while ContinuousClock.now < deadline {
                            round += 1
                            let port = (id + round) % 2 == 0 ? steady.port : restarting.withLockedValue { $0 }.port
                            var connected: TestChatClient?
                            do {
                                let client = try await TestChatClient.connect(port: port)
                                connected = client
                                let (login, _) = try await client.login(id, password: "pw")
                                guard login.code == StatusCode.ok else {
                                    await client.close()
                                    continue
                                }
                                stats.withLockedValue { $0.sessions += 1 }
                                for n in 0..<Int.random(in: 1...10) {
                                    let content = "soak u\(id) r\(round) n\(n) \(UUID().uuidString)"
                                    try await client.send(.sms(SmsMes(content: content)))
                                    let ack = try await client.next(
                                        { if case .smsResult(let r) = $0 { r } else { nil } },
                                        timeout: .seconds(30)
                                    )
                                    if ack.code == StatusCode.ok, let messageID = ack.id {
                                        acked.withLockedValue { $0[messageID] = content }
                                        stats.withLockedValue { $0.messages += 1 }
                                    } else {
                                        stats.withLockedValue { $0.refused += 1 }
                                    }
                                }
                                if Bool.random() { try await client.send(.logout) }
                                await client.close()
                            } catch {
                                // Kicked, node restarting, Redis down: part of the churn.
                                stats.withLockedValue { $0.broken += 1 }
                                errors.withLockedValue { $0["\(error)".prefix(60).description, default: 0] += 1 }
                                await connected?.close()
                            }
                        }
                    }
                }
                // The faults, spread over the run.
                group.addTask {
                    let step = Duration.seconds(max(Self.seconds / 10, 2))
                    var tick = 0
                    while ContinuousClock.now + step < deadline {
                        try? await Task.sleep(for: step)
                        tick += 1
                        switch tick % 5 {
                        case 1, 3:
                            let victim = Int.random(in: 1...users)
                            _ = try? await runToCompletion(
                                productPath("chatctl"),
                                ["--socket", steady.controlSocket, "kick-user", String(victim), "--reason", "soak"]
                            )
                            stats.withLockedValue { $0.kicks += 1 }
                        case 2:
                            await redis.kill9()
                            try? await redis.restart()
                        case 4:
                            let old = restarting.withLockedValue { $0 }
                            _ = try? await old.stop()
                            if let fresh = try? await ChatdProcess.start(redisURL: redis.url, environment: environment)
                            {
                                restarting.withLockedValue { $0 = fresh }
                            }
                        default:
                            break
                        }
                    }
                }
            }

            // Every acknowledged message is in history, exactly once.
            let client = RedisClient(
                configuration: try RedisConfiguration(url: redis.url),
                eventLoopGroup: MultiThreadedEventLoopGroup.singleton
            )
            // Paged: one reply of the whole stream would be large.
            var entries: [RESPValue] = []
            var start = "-"
            while true {
                let page = try await client.send("XRANGE", "chat:room:lobby", start, "+", "COUNT", "1000").array ?? []
                entries += page
                guard page.count == 1000, let last = page.last?.array?.first?.string else { break }
                start = "(" + last
            }
            var seen: [String: Int] = [:]
            for entry in entries {
                guard let pair = entry.array, pair.count == 2, let fields = pair[1].array else { continue }
                let values = fields.compactMap(\.string)
                if let index = values.firstIndex(of: "content"), index + 1 < values.count {
                    seen[values[index + 1], default: 0] += 1
                }
            }
            let ackedNow = acked.withLockedValue { $0 }
            let missing = ackedNow.values.filter { seen[$0] == nil }
            let doubled = seen.filter { $0.value > 1 }
            #expect(missing.isEmpty, "\(missing.count) acknowledged messages missing")
            #expect(doubled.isEmpty, "\(doubled.count) messages stored twice")

            // No session is left in presence once everyone is gone and dead nodes expired.
            var present = -1
            for _ in 0..<60 where present != 0 {
                present = 0
                for key in try await client.send("KEYS", "chat:presence:*").array?.compactMap(\.string) ?? [] {
                    present += try await client.send("HLEN", key).int ?? 0
                }
                if present != 0 { try await Task.sleep(for: .seconds(1)) }
            }
            let leftovers = try? await runToCompletion(
                productPath("chatctl"),
                ["--socket", steady.controlSocket, "sessions"]
            )
            #expect(
                present == 0,
                "\(present) sessions still in presence; the steady node lists: \(leftovers?.output ?? "?")"
            )
            await client.shutdown()

            let final = Self.rss(of: steady.pid)
            let summary = stats.withLockedValue { $0 }
            let line = """
                SOAK seconds=\(Self.seconds) users=\(users) sessions=\(summary.sessions) acked=\(ackedNow.count) refused503=\(summary.refused) \
                broken=\(summary.broken) kicks=\(summary.kicks) stored=\(entries.count) missing=\(missing.count) doubled=\(doubled.count) \
                presence_left=\(present) rss_baseline_kib=\(baseline) rss_end_kib=\(final)
                """
            print(line)
            print("SOAK client errors: \(errors.withLockedValue { $0 })")
            #expect(final < baseline * 2 + 32 * 1024, "RSS grew from \(baseline) KiB to \(final) KiB")
        }
    }

    /// VmRSS of a process in KiB.
    static func rss(of pid: Int32) -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }
}
