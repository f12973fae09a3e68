// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import ChatTesting
import NIOCore
import TestTier
import Testing

@Suite(.integration) struct ResumeTokenTests {
    @Test func loginReturnsATokenThatLogsInAgain() async throws {
        try await Deployment.with { d in
            let first = try await d.client()
            _ = try await first.register(1, name: "ann", password: "pw")
            let (login, _) = try await first.login(1, password: "pw")
            let token = try #require(login.token)
            await first.close()

            let again = try await d.client()
            try await again.send(.login(LoginMes(userid: 1, userpwd: "", token: token)))
            let resumed = try await again.next(Pick.login)
            #expect(resumed.code == 200)
            #expect(resumed.token != nil)

            let forged = try await d.client()
            try await forged.send(.login(LoginMes(userid: 1, userpwd: "", token: token + "x")))
            #expect(try await forged.next(Pick.login).code == 403)
        }
    }
}

@Suite(.integration) struct SlowConsumerTests {
    /// A session that stops reading is closed once its outbound queue passes the bound;
    /// the others keep chatting.
    @Test func readerThatStopsIsClosedAsSlowConsumer() async throws {
        try await Deployment.with(environment: ["CHATD_OUTBOUND_QUEUE_MAX": "65536", "CHATD_RATE_LIMIT": "0"]) { d in
            let sender = try await d.user(1, "ann")
            let witness = try await d.user(2, "bob")
            _ = try await sender.next(Pick.notify)
            let slow = try await d.user(3, "slow")
            _ = try await sender.next(Pick.notify)
            _ = try await witness.next(Pick.notify)
            // Stop reading: the kernel buffers fill, then chatd's queue.
            try await slow.channel.setOption(.autoRead, value: false).get()

            let text = String(repeating: "x", count: 8000)
            var sent = 0
            var slowGone = false
            while !slowGone && sent < 3000 {
                try await sender.send(.sms(SmsMes(content: text)))
                sent += 1
                // Read the sender's stream up to its ack; a notice that "slow" went offline ends the flood.
                while true {
                    let message = try await sender.next()
                    if case .notifyUserStatus(let notice) = message, notice.userid == 3,
                        notice.status == UserStatus.offline
                    {
                        slowGone = true
                    }
                    if case .smsResult = message { break }
                }
            }
            #expect(slowGone, "still connected after \(sent) messages")

            // The slow connection was closed by the server.
            try await slow.channel.setOption(.autoRead, value: true).get()
            var closed = false
            do {
                _ = try await slow.collectUntilClosed(timeout: .seconds(30))
                closed = true
            } catch TestChatClientError.closed { closed = true }
            #expect(closed)

            // The witness kept receiving throughout.
            try await sender.send(.sms(SmsMes(content: "after")))
            while try await witness.next(Pick.sms).content != "after" {}
        }
    }
}
