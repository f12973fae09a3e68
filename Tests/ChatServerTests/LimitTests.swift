// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import ChatTesting
import Foundation
import NIOCore
import TestTier
import Testing

/// Floods and abuse get clear answers, and other sessions do not notice.
@Suite(.integration) struct LimitTests {
    @Test func requestFloodGets429AndNothingIsFannedOut() async throws {
        try await Deployment.with(environment: ["CHATD_RATE_LIMIT": "1", "CHATD_RATE_BURST": "5"]) { d in
            let flooder = try await d.user(1, "ann")
            let witness = try await d.user(2, "bob")
            _ = try await flooder.next(Pick.notify)
            // Register and login took 2 of the 5; about 3 of these pass (a few more if
            // seconds went by), the rest are refused.
            var burst = ByteBuffer()
            for i in 1...10 {
                var frame = ClientMessage.sms(SmsMes(content: "m\(i)")).frame()
                burst.writeBuffer(&frame)
            }
            try await flooder.sendRaw(burst)
            var acked = 0
            var limited = 0
            while acked + limited < 10 {
                switch try await flooder.next() {
                case .smsResult(let ack) where ack.code == 200: acked += 1
                case .error(let error) where error.code == 429: limited += 1
                default: break
                }
            }
            #expect(acked >= 1 && acked <= 5, "acked \(acked)")
            #expect(limited == 10 - acked)
            // The witness got exactly the acknowledged ones.
            for _ in 0..<acked { _ = try await witness.next(Pick.sms) }
            try await witness.send(.history(HistoryMes(limit: 50)))
            #expect(try await witness.next(Pick.history).messages.count == acked)
        }
    }

    /// An attacker guessing user 8's password from 127.0.0.2 is made to wait, longer
    /// with each failure, while the owner on 127.0.0.1 logs in as usual, a valid token
    /// gets in even from the attacker's address, and other users there are not affected.
    @Test func guessingFromOneAddressDoesNotLockTheOwnerOut() async throws {
        try await Deployment.with { d in
            let owner = try await d.client()
            #expect(try await owner.register(8, name: "owner", password: "right").code == 200)
            #expect(try await owner.register(9, name: "neighbour", password: "pw").code == 200)
            let attacker = try await d.client(from: "127.0.0.2")
            // Wrong passwords until the wait reaches 4 s: after the 5 free failures
            // (login_failures_per_user) each one makes the next attempt wait 1 s, then 2 s,
            // then 4 s. Between, the attacker waits what the server said: only time ends a
            // wait. A slow machine may let a wait run out before the next attempt arrives,
            // so the waits seen are bounded by the failures so far, not fixed.
            var failures = 0
            var waits: [(failures: Int, hint: Int)] = []
            while (waits.last?.hint ?? 0) < 4, failures < 15 {
                let reply = try await attacker.login(8, password: "guess").0
                switch reply.code {
                case StatusCode.wrongPassword:
                    failures += 1
                case StatusCode.rateLimited:
                    let hint = reply.error.firstMatch(of: /try again in (\d+) s/).flatMap { Int($0.1) }
                    #expect(hint != nil, "no retry hint in \(reply.error)")
                    waits.append((failures, hint ?? 60))
                    if (hint ?? 60) < 4 { try await Task.sleep(for: .seconds(hint ?? 60)) }
                default:
                    Issue.record("unexpected login reply \(reply.code) \(reply.error)")
                    return
                }
            }
            #expect(failures >= 7 && failures < 15)
            #expect((waits.first?.failures ?? 0) >= 5, "throttled before the free failures were used: \(waits)")
            #expect(
                waits.allSatisfy { $0.hint >= 1 && $0.hint <= 1 << ($0.failures - 5) },
                "the wait doubles per failure: \(waits)"
            )
            #expect(
                zip(waits, waits.dropFirst()).allSatisfy { $0.hint < $1.hint } && (waits.last?.hint ?? 0) >= 4,
                "the wait grows: \(waits)"
            )
            // Meanwhile the owner, from their own address, logs in with the password...
            let (login, _) = try await owner.login(8, password: "right")
            #expect(login.code == 200)
            // ...and their token gets in from the attacker's address too.
            let token = try #require(login.token)
            let traveller = try await d.client(from: "127.0.0.2")
            try await traveller.send(.login(LoginMes(userid: 8, userpwd: "", token: token)))
            #expect(try await traveller.next(Pick.login).code == 200)
            // Another user at the attacker's address is not held up either.
            #expect(try await d.client(from: "127.0.0.2").login(9, password: "pw").0.code == 200)
            // Password attempts for user 8 from there still wait (the last wait was 4 s or more).
            #expect(try await attacker.login(8, password: "right").0.code == 429)
            #expect(d.chatd.output.contains("login_throttled"))
        }
    }

    /// A token is checked even while password attempts wait, and a bad one is a failed
    /// login like a wrong password: it makes the wait grow.
    @Test func badTokensAreCheckedAndCountAsFailures() async throws {
        try await Deployment.with(environment: ["CHATD_LOGIN_FAILURES_PER_USER": "2", "CHATD_LOGIN_WINDOW": "600"]) {
            d in
            let owner = try await d.client()
            #expect(try await owner.register(8, name: "owner", password: "right").code == 200)
            let attacker = try await d.client(from: "127.0.0.2")
            var codes: [Int] = []
            for _ in 1...6 {
                try await attacker.send(.login(LoginMes(userid: 8, userpwd: "", token: "8.9999999999.0.forged")))
                codes.append(try await attacker.next(Pick.login).code)
            }
            #expect(codes == Array(repeating: 403, count: 6))
            // 1 s after the second failure, doubled four times since: 16 s.
            let reply = try await attacker.login(8, password: "right").0
            #expect(reply.code == 429)
            #expect(
                reply.error.contains("try again in 16 s") || reply.error.contains("try again in 15 s"),
                "\(reply.error)"
            )
        }
    }

    @Test func registrationsPerAddressAreLimited() async throws {
        try await Deployment.with(environment: ["CHATD_REGISTRATIONS_PER_ADDRESS": "2"]) { d in
            let client = try await d.client()
            #expect(try await client.register(1, name: "a", password: "p").code == 200)
            #expect(try await client.register(2, name: "b", password: "p").code == 200)
            #expect(try await client.register(3, name: "c", password: "p").code == 429)
        }
    }

    @Test func sessionsPerUserAreLimited() async throws {
        try await Deployment.with(environment: ["CHATD_MAX_SESSIONS_PER_USER": "2"]) { d in
            _ = try await d.user(1, "ann")
            let second = try await d.client()
            #expect(try await second.login(1, password: "pw").0.code == 200)
            let third = try await d.client()
            #expect(try await third.login(1, password: "pw").0.code == 429)
        }
    }

    @Test func connectionsBeyondTheTotalAreRefused() async throws {
        try await Deployment.with(environment: ["CHATD_MAX_CONNECTIONS": "2"]) { d in
            let first = try await d.client()
            let second = try await d.client()
            for client in [first, second] {
                try await client.send(.ping(PingMes()))
                _ = try await client.next(Pick.pong)
            }
            let third = try await d.client()
            #expect(try await third.collectUntilClosed().compactMap(Pick.error).map(\.code) == [503])
            // Those already in keep working.
            try await first.send(.ping(PingMes(ts: 9)))
            #expect(try await first.next(Pick.pong).ts == 9)
            // A connection that closes frees its place; the refused one took none.
            await second.close()
            try await waitUntilConnections(1, on: d)
            let fourth = try await d.client()
            try await fourth.send(.ping(PingMes(ts: 4)))
            #expect(try await fourth.next(Pick.pong).ts == 4)
        }
    }

    /// One address cannot take every place: past `connections_per_address` (default 32)
    /// its connections get 429 and are closed, while another address still gets in.
    @Test func connectionsPerAddressAreLimited() async throws {
        try await Deployment.with { d in
            var held: [TestChatClient] = []
            for n in 1...32 {
                let client = try await d.client()
                // Answered: chatd has this one counted before the next is opened.
                try await client.send(.ping(PingMes(ts: Int64(n))))
                #expect(try await client.next(Pick.pong).ts == Int64(n))
                held.append(client)
            }
            let over = try await d.client()
            let refusal = try await over.collectUntilClosed().compactMap(Pick.error)
            #expect(refusal.map(\.code) == [429])
            #expect(refusal.first?.error.contains("too many connections from your address") == true)
            // Another address (127.0.0.2, loopback too) is not affected.
            let other = try await d.client(from: "127.0.0.2")
            #expect(try await other.register(1, name: "ann", password: "pw").code == 200)
            #expect(try await other.login(1, password: "pw").0.code == 200)
            // A connection that closes frees its place; the refused one took none.
            await held.removeFirst().close()
            try await waitUntilConnections(32, on: d)
            let again = try await d.client()
            try await again.send(.ping(PingMes(ts: 99)))
            #expect(try await again.next(Pick.pong).ts == 99)
            for client in held { await client.close() }
        }
    }

    /// Asks chatd (`chatctl status`) until it counts `count` open connections.
    func waitUntilConnections(_ count: Int, on d: Deployment) async throws {
        let counted = try await d.waitUntilChatctl(["status"]) { output in
            let status = try? JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any]
            return status?["connections"] as? Int == count
        }
        if !counted { Issue.record("chatd does not count \(count) connections") }
    }

    /// A frame started and never finished: the connection is closed with 408.
    @Test func slowDripSenderIsClosed() async throws {
        try await Deployment.with(environment: ["CHATD_FRAME_TIMEOUT": "1"]) { d in
            let dripper = try await d.client()
            var partial = ByteBuffer()
            partial.writeInteger(UInt32(100))
            partial.writeString("{\"type\":")
            try await dripper.sendRaw(partial)
            #expect(try await dripper.collectUntilClosed().compactMap(Pick.error).map(\.code) == [408])
        }
    }
}
