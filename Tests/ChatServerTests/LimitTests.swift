import ChatProtocol
import ChatTesting
import Foundation
import NIOCore
import Testing

/// Floods and abuse get clear answers, and other sessions do not notice.
@Suite struct LimitTests {
    @Test func requestFloodGets429AndNothingIsFannedOut() async throws {
        try await withDeployment(environment: ["CHATD_RATE_LIMIT": "1", "CHATD_RATE_BURST": "5"]) { d in
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

    @Test func failedLoginsAreThrottledPerUser() async throws {
        try await withDeployment(environment: ["CHATD_LOGIN_FAILURES_PER_USER": "3"]) { d in
            let client = try await d.client()
            _ = try await client.register(1, name: "ann", password: "right")
            for _ in 1...3 { #expect(try await client.login(1, password: "wrong").0.code == 403) }
            // Now even the right password waits for the window to end.
            let throttled = try await client.login(1, password: "right").0
            #expect(throttled.code == 429)
            #expect(throttled.error.contains("try again"))
            // Another user from the same address is not affected.
            _ = try await client.register(2, name: "bob", password: "pw")
            #expect(try await client.login(2, password: "pw").0.code == 200)
            #expect(d.chatd.output.contains("login_throttled"))
        }
    }

    @Test func registrationsPerAddressAreLimited() async throws {
        try await withDeployment(environment: ["CHATD_REGISTRATIONS_PER_ADDRESS": "2"]) { d in
            let client = try await d.client()
            #expect(try await client.register(1, name: "a", password: "p").code == 200)
            #expect(try await client.register(2, name: "b", password: "p").code == 200)
            #expect(try await client.register(3, name: "c", password: "p").code == 429)
        }
    }

    @Test func sessionsPerUserAreLimited() async throws {
        try await withDeployment(environment: ["CHATD_MAX_SESSIONS_PER_USER": "2"]) { d in
            _ = try await d.user(1, "ann")
            let second = try await d.client()
            #expect(try await second.login(1, password: "pw").0.code == 200)
            let third = try await d.client()
            #expect(try await third.login(1, password: "pw").0.code == 429)
        }
    }

    @Test func connectionsBeyondTheTotalAreRefused() async throws {
        try await withDeployment(environment: ["CHATD_MAX_CONNECTIONS": "2"]) { d in
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
        try await withDeployment { d in
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
        try await withDeployment(environment: ["CHATD_FRAME_TIMEOUT": "1"]) { d in
            let dripper = try await d.client()
            var partial = ByteBuffer()
            partial.writeInteger(UInt32(100))
            partial.writeString("{\"type\":")
            try await dripper.sendRaw(partial)
            #expect(try await dripper.collectUntilClosed().compactMap(Pick.error).map(\.code) == [408])
        }
    }
}
