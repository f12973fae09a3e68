// SPDX-License-Identifier: Apache-2.0
import NIOCore
import Testing

@testable import ChatProtocol

@Suite struct MessageDecodingTests {
    static func body(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

    @Test func invalidUTF8IsRefused() {
        #expect(throws: ProtocolError.invalidUTF8) {
            _ = try ClientMessage.decode(ByteBuffer(bytes: [0x7B, 0xFF, 0xFE, 0x7D]))
        }
    }

    @Test func malformedJSONIsRefusedWith400() throws {
        do {
            _ = try ClientMessage.decode(Self.body("{\"type\": "))
            Issue.record("decoded malformed JSON")
        } catch {
            guard case .malformedJSON = error else {
                Issue.record("wrong error \(error)")
                return
            }
            #expect(error.code == 400)
            #expect(!error.isFraming)
        }
    }

    @Test func unknownTypeIsNamed() {
        #expect(throws: ProtocolError.unknownType("FooMes")) {
            _ = try ClientMessage.decode(Self.body(#"{"type":"FooMes","data":"{}"}"#))
        }
        // A server-only type from a client is unknown too.
        #expect(throws: ProtocolError.unknownType("KickedMes")) {
            _ = try ClientMessage.decode(Self.body(#"{"type":"KickedMes","data":"{}"}"#))
        }
    }

    @Test func payloadOfTheWrongShapeIsMalformed() throws {
        do {
            _ = try ClientMessage.decode(Envelope(type: "LoginMes", data: #"{"userid":"100"}"#))
            Issue.record("decoded a string user id")
        } catch {
            guard case .malformedPayload(let type, _) = error else {
                Issue.record("wrong error \(error)")
                return
            }
            #expect(type == "LoginMes")
        }
    }

    @Test(arguments: [
        ClientMessage.register(RegisterMes(user: User(userid: 1, userpwd: "p", username: "n"))),
        .login(LoginMes(userid: 1, userpwd: "p", token: "t")),
        .sms(SmsMes(content: "c")),
        .privateMessage(PrivateMes(to: 2, content: "hello\tthere")),
        .onlineUsers,
        .history(HistoryMes(before: "5-0", limit: 10, with: 3)),
        .ping(PingMes(ts: 42)),
        .pong(PingMes()),
        .logout,
    ])
    func clientMessagesRoundTrip(message: ClientMessage) throws {
        var frame = message.frame()
        var decoder = FrameDecoder()
        let decoded = try decoder.decode(buffer: &frame)
        let body = try #require(decoded)
        #expect(try ClientMessage.decode(body) == message)
    }

    @Test(arguments: [
        ServerMessage.registerResult(RegisterResMes(code: 400, error: "taken")),
        .loginResult(LoginResMes(code: 200, userIds: [1, 2], username: "a", token: "t")),
        .notifyUserStatus(NotifyUserStatusMes(userid: 1, status: 0, username: "a")),
        .sms(SmsMes(content: "x", userid: 1, username: "a", id: "1-0", ts: 1)),
        .smsResult(SmsResMes(code: 200, id: "1-0", ts: 1)),
        .privateMessage(PrivateMes(to: 2, content: "y", from: 1, username: "a", id: "2-0", ts: 2)),
        .privateResult(PrivateResMes(code: 200, id: "2-0", ts: 2, delivered: true)),
        .onlineUsers(OnlineUsersResMes(users: [OnlineUser(userid: 1, username: "a")])),
        .history(
            HistoryResMes(
                messages: [ChatRecord(id: "1-0", ts: 1, from: 1, username: "a", content: "x", to: 2)],
                more: true
            )
        ),
        .offline(OfflineMes(messages: [], more: true, note: "n")),
        .pong(PingMes(ts: 3)),
        .kicked(KickedMes(reason: "bye")),
        .error(ErrorMes(code: 401, error: "log in first")),
    ])
    func serverMessagesRoundTrip(message: ServerMessage) throws {
        var frame = message.frame()
        var decoder = FrameDecoder()
        let decoded = try decoder.decode(buffer: &frame)
        let body = try #require(decoded)
        #expect(try ServerMessage.decode(body) == message)
    }

    @Test func controlCharactersAreEscapedInTheEnvelope() throws {
        let envelope = Envelope(type: "SmsMes", data: "\u{01}\u{1F}\"\\")
        var frame = envelope.frame()
        var decoder = FrameDecoder()
        let decoded = try decoder.decode(buffer: &frame)
        let body = try #require(decoded)
        #expect(try Envelope.decode(body) == envelope)
    }
}
