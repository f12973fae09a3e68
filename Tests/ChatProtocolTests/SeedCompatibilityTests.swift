// SPDX-License-Identifier: Apache-2.0
import Foundation
import NIOCore
import Testing

@testable import ChatProtocol

/// Frames exactly as the seed's Go client writes them: `json.Marshal` of the
/// payload, put as a string into `Message{Type, Data}`, marshalled again, then a
/// 4-byte big-endian length written before it.
@Suite struct SeedCompatibilityTests {
    static func seedFrame(_ json: String) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt32(json.utf8.count), endianness: .big)
        buffer.writeString(json)
        return buffer
    }

    static func body(_ frame: ByteBuffer) throws -> ByteBuffer {
        var frame = frame
        var decoder = FrameDecoder()
        let decoded = try decoder.decode(buffer: &frame)
        return try #require(decoded)
    }

    @Test func seedLoginFrameDecodes() throws {
        let json = #"{"type":"LoginMes","data":"{\"userid\":100,\"userpwd\":\"123456\",\"username\":\"\"}"}"#
        let message = try ClientMessage.decode(Self.body(Self.seedFrame(json)))
        #expect(message == .login(LoginMes(userid: 100, userpwd: "123456", username: "")))
    }

    @Test func seedRegisterFrameDecodes() throws {
        let json =
            #"{"type":"RegisterMes","data":"{\"user\":{\"userid\":200,\"userpwd\":\"pw\",\"username\":\"bob\",\"userstatus\":0}}"}"#
        let message = try ClientMessage.decode(Self.body(Self.seedFrame(json)))
        #expect(
            message == .register(RegisterMes(user: User(userid: 200, userpwd: "pw", username: "bob", userstatus: 0)))
        )
    }

    @Test func seedSmsFrameDecodesWithGoHTMLEscapes() throws {
        // Go escapes <, > and & as \u003c, \u003e, \u0026 inside strings.
        let json =
            #"{"type":"SmsMes","data":"{\"content\":\"a \\u003cb\\u003e \\u0026 c\",\"userid\":300,\"userpwd\":\"\",\"username\":\"\",\"userstatus\":0}"}"#
        let message = try ClientMessage.decode(Self.body(Self.seedFrame(json)))
        guard case .sms(let sms) = message else {
            Issue.record("not an SmsMes: \(message)")
            return
        }
        #expect(sms.content == "a <b> & c")
        #expect(sms.userid == 300)
    }

    @Test func missingFieldsTakeGoZeroValues() throws {
        let message = try ClientMessage.decode(Envelope(type: "LoginMes", data: #"{"userid":7}"#))
        #expect(message == .login(LoginMes(userid: 7, userpwd: "", username: "")))
    }

    @Test func emptyDataIsAnEmptyObject() throws {
        #expect(try ClientMessage.decode(Envelope(type: "OnlineUsersMes", data: "")) == .onlineUsers)
    }

    /// What the seed client unmarshals: `LoginResMes{Code, UserIds, Error}` with the
    /// untagged key `UserIds`.
    @Test func loginResultCarriesSeedKeys() throws {
        let frame = ServerMessage.loginResult(LoginResMes(code: 200, userIds: [100, 200])).frame()
        let envelope = try Envelope.decode(Self.body(frame))
        #expect(envelope.type == "LoginResMes")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(envelope.data.utf8)) as? [String: Any])
        #expect(object["code"] as? Int == 200)
        #expect(object["UserIds"] as? [Int] == [100, 200])
        #expect(object["error"] as? String == "")
    }

    @Test func outgoingEnvelopeIsDoubleEncodedLikeTheSeed() throws {
        let frame = ServerMessage.notifyUserStatus(NotifyUserStatusMes(userid: 100, status: UserStatus.offline)).frame()
        var copy = frame
        let length = copy.readInteger(endianness: .big, as: UInt32.self)
        #expect(length.map(Int.init) == copy.readableBytes)
        let text = copy.readString(length: copy.readableBytes)
        #expect(text == #"{"type":"NotifyUserStatusMes","data":"{\"status\":1,\"userid\":100}"}"#)
    }

    @Test func outgoingSmsHasSeedFieldsAndNoPassword() throws {
        let frame = ServerMessage.sms(SmsMes(content: "hi \"there\"\n", userid: 100, username: "ann", id: "1-0", ts: 1))
            .frame()
        let envelope = try Envelope.decode(Self.body(frame))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(envelope.data.utf8)) as? [String: Any])
        #expect(object["content"] as? String == "hi \"there\"\n")
        #expect(object["userid"] as? Int == 100)
        #expect(object["username"] as? String == "ann")
        #expect(object["userpwd"] as? String == "")
        #expect(object["userstatus"] as? Int == 0)
    }
}
