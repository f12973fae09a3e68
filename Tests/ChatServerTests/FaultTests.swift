// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import ChatTesting
import Foundation
import TestTier
import Testing

/// Faults provoked against real processes: what clients see, and what Redis holds after.
@Suite(.integration) struct FaultTests {
    /// Sends group messages one by one; returns the acknowledged ids and how many got 503.
    static func send(
        _ client: TestChatClient,
        from start: Int,
        until done: (_ acked: Int, _ refused: Int) -> Bool,
        acked: inout [String: String]
    ) async throws -> Int {
        var refused = 0
        var counter = start
        var ackedHere = 0
        while !done(ackedHere, refused) && counter < start + 2000 {
            counter += 1
            let content = "m\(counter)"
            try await client.send(.sms(SmsMes(content: content)))
            let reply = try await client.next(Pick.smsResult)
            if reply.code == StatusCode.ok, let id = reply.id {
                acked[id] = content
                ackedHere += 1
            } else {
                #expect(reply.code == StatusCode.storeUnavailable)
                refused += 1
            }
        }
        return counter
    }

    /// Redis killed and restarted under traffic: 503 while it is gone, never an ack for
    /// what was not stored, never a fan-out of an unstored message, recovery by itself,
    /// and every acknowledged message in history afterwards.
    @Test func redisKilledUnderTraffic() async throws {
        try await RedisServerProcess.with(persistent: true) { redis in
            let chatd = try await ChatdProcess.start(
                redisURL: redis.url,
                environment: ["CHATD_REDIS_TIMEOUT": "1", "CHATD_RATE_LIMIT": "0"]
            )
            defer { kill(chatd.pid, SIGKILL) }
            let d = Deployment(redis: redis, chatd: chatd)
            let sender = try await d.user(1, "ann")
            let witness = try await d.user(2, "bob")
            _ = try await sender.next(Pick.notify)

            var acked: [String: String] = [:]
            var next = try await Self.send(sender, from: 0, until: { ok, _ in ok == 30 }, acked: &acked)
            await redis.kill9()
            next = try await Self.send(sender, from: next, until: { _, refused in refused == 5 }, acked: &acked)
            try await redis.restart()
            next = try await Self.send(sender, from: next, until: { ok, _ in ok == 30 }, acked: &acked)
            #expect(acked.count >= 60)
            #expect(chatd.output.contains("Redis is down"))
            #expect(chatd.output.contains("Redis is back"))

            // The witness saw exactly the stored messages, and nothing else.
            let reader = try await d.client()
            _ = try await reader.login(2, password: "pw")
            try await reader.send(.history(HistoryMes(limit: 200)))
            let history = try await reader.next(Pick.history).messages
            let stored = Dictionary(history.map { ($0.id, $0.content) }, uniquingKeysWith: { first, _ in first })
            #expect(history.count == stored.count, "a message is in history twice")
            for (id, content) in acked {
                #expect(stored[id] == content, "acknowledged \(id) (\(content)) is missing from history")
            }
            var fannedOut = 0
            while fannedOut < acked.count {
                let message = try await witness.next(Pick.sms)
                #expect(
                    message.id.map { stored[$0] != nil } == true,
                    "\(message.content) was fanned out but not stored"
                )
                fannedOut += 1
            }
            #expect(Set(stored.keys) == Set(acked.keys))
            _ = next
        }
    }

    /// chatd killed with SIGKILL under traffic: what was acknowledged is in history, and a
    /// new chatd on the same Redis shows the dead one's users offline once the dead
    /// node's presence expires.
    @Test func chatdKilledUnderTraffic() async throws {
        try await RedisServerProcess.with(persistent: true) { redis in
            let first = try await ChatdProcess.start(
                redisURL: redis.url,
                environment: ["CHATD_RATE_LIMIT": "0", "CHATD_PRESENCE_TTL": "2"]
            )
            let before = Deployment(redis: redis, chatd: first)
            let ann = try await before.user(1, "ann")
            var acked: [String: String] = [:]
            _ = try await Self.send(ann, from: 0, until: { ok, _ in ok == 20 }, acked: &acked)
            // In flight when the process dies: no reply is expected for this one.
            try await ann.send(.sms(SmsMes(content: "in flight")))
            #expect(try await first.stop(signal: SIGKILL) == 128 + SIGKILL)

            let second = try await ChatdProcess.start(redisURL: redis.url, environment: ["CHATD_PRESENCE_TTL": "2"])
            defer { kill(second.pid, SIGKILL) }
            let after = Deployment(redis: redis, chatd: second)
            let bob = try await after.client()
            _ = try await bob.register(2, name: "bob", password: "pw")
            let (login, _) = try await bob.login(2, password: "pw")
            #expect(login.code == StatusCode.ok)
            // Ann's node is gone: once its presence expires, bob is told she is offline.
            // On a slow machine it may expire before bob logs in (the new node's first
            // heartbeat finds it); then his login reply already leaves her out.
            if login.userIds.contains(1) {
                let notice = try await bob.next(Pick.notify)
                #expect(notice == NotifyUserStatusMes(userid: 1, status: UserStatus.offline, username: "ann"))
            }
            try await bob.send(.onlineUsers)
            #expect(try await bob.next(Pick.online).users.map(\.userid) == [2])
            try await bob.send(.history(HistoryMes(limit: 100)))
            let stored = Set(try await bob.next(Pick.history).messages.map(\.id))
            #expect(Set(acked.keys).isSubset(of: stored))
        }
    }
}
