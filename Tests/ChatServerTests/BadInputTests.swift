// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import ChatTesting
import NIOCore
import TestTier
import Testing

/// What each kind of bad input gets, and that none of it touches other sessions.
@Suite(.integration) struct BadInputTests {
    /// A bystander logged in beside the offender; after the offence it still chats.
    static func assertBystanderUnharmed(
        _ d: Deployment,
        _ bystander: TestChatClient,
        _ witness: TestChatClient
    ) async throws {
        try await bystander.send(.sms(SmsMes(content: "still fine")))
        #expect(try await bystander.next(Pick.smsResult).code == 200)
        #expect(try await witness.next(Pick.sms).content == "still fine")
    }

    @Test func zeroLengthFrameClosesWithError() async throws {
        try await Deployment.with { d in
            let ann = try await d.user(1, "ann")
            let bob = try await d.user(2, "bob")
            let offender = try await d.client()
            try await offender.sendRaw(ByteBuffer(bytes: [0, 0, 0, 0]))
            let last = try await offender.collectUntilClosed()
            #expect(last.compactMap(Pick.error).map(\.code) == [400])
            try await Self.assertBystanderUnharmed(d, ann, bob)
        }
    }

    /// Refused from the length prefix alone: the body is never sent.
    @Test func oversizedFrameClosesWith413() async throws {
        try await Deployment.with(environment: ["CHATD_MAX_FRAME_SIZE": "1024"]) { d in
            let ann = try await d.user(1, "ann")
            let bob = try await d.user(2, "bob")
            let offender = try await d.user(3, "eve")
            // Eve's arrival and departure are announced like any other (her arrival is
            // awaited first: an arrival and a departure in one batch cancel out).
            let arrivals = [try await ann.next(Pick.notify), try await ann.next(Pick.notify)]
            #expect(arrivals.map(\.userid) == [2, 3])
            #expect(arrivals.map(\.status) == [UserStatus.online, UserStatus.online])
            var prefix = ByteBuffer()
            prefix.writeInteger(UInt32(1025))
            try await offender.sendRaw(prefix)
            let last = try await offender.collectUntilClosed()
            #expect(last.compactMap(Pick.error).map(\.code) == [413])
            let departure = try await ann.next(Pick.notify)
            #expect(departure.userid == 3 && departure.status == UserStatus.offline)
            try await Self.assertBystanderUnharmed(d, ann, bob)
        }
    }

    @Test func badPayloadsGet400AndTheSessionStays() async throws {
        try await Deployment.with { d in
            let client = try await d.user(1, "ann")
            let cases: [ByteBuffer] = [
                FrameEncoder.frame([0x7B, 0xFF, 0xFE, 0x7D]),  // invalid UTF-8
                FrameEncoder.frame(Array("{\"type\": ".utf8)),  // JSON that does not parse
                FrameEncoder.frame(Array(#"{"type":"NoSuchMes","data":"{}"}"#.utf8)),  // unknown type
                FrameEncoder.frame(Array(#"{"type":"SmsMes","data":"not json"}"#.utf8)),  // bad payload
                FrameEncoder.frame(Array(#"{"data":"{}"}"#.utf8)),  // no type
            ]
            for frame in cases {
                try await client.sendRaw(frame)
                let error = try await client.next(Pick.error)
                #expect(error.code == 400)
                #expect(!error.error.isEmpty)
            }
            try await client.send(.ping(PingMes(ts: 1)))
            #expect(try await client.next(Pick.pong).ts == 1)
        }
    }

    @Test func messagesBeforeLoginGet401() async throws {
        try await Deployment.with { d in
            let client = try await d.client()
            for message in [
                ClientMessage.sms(SmsMes(content: "x")), .privateMessage(PrivateMes(to: 1, content: "x")),
                .onlineUsers, .history(HistoryMes()),
            ] {
                try await client.send(message)
                #expect(try await client.next(Pick.error).code == 401)
            }
        }
    }

    @Test func wrongPasswordGets403AndMayRetry() async throws {
        try await Deployment.with { d in
            let client = try await d.client()
            _ = try await client.register(1, name: "ann", password: "right")
            let (wrong, _) = try await client.login(1, password: "wrong")
            #expect(wrong.code == 403)
            let (right, _) = try await client.login(1, password: "right")
            #expect(right.code == 200)
        }
    }

    /// Redis gone: logins and messages get 503, nothing is acknowledged, the server
    /// stays up, and it recovers by itself when Redis is back.
    @Test func deadRedisGets503ThenRecovers() async throws {
        try await Deployment.with(environment: ["CHATD_REDIS_TIMEOUT": "1"]) { d in
            let ann = try await d.user(1, "ann")
            await d.redis.kill9()
            try await ann.send(.sms(SmsMes(content: "lost?")))
            #expect(try await ann.next(Pick.smsResult).code == 503)
            let other = try await d.client()
            let (login, _) = try await other.login(1, password: "pw")
            #expect(login.code == 503)

            try await d.redis.restart()
            // The data was in memory only, so register again; retry until the
            // server's Redis connections are back (each try is answered, not slept on).
            var code = 0
            for _ in 0..<200 where code != 200 {
                code = try await other.register(2, name: "bob", password: "pw").code
            }
            #expect(code == 200)
            try await ann.send(.sms(SmsMes(content: "back")))
            #expect(try await ann.next(Pick.smsResult).code == 200)
        }
    }
}
