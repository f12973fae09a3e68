// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import Testing

/// The hand-written LoginResMes frame is what the generic envelope path writes.
@Suite struct LoginResJSONTests {
    static let replies: [LoginResMes] = [
        LoginResMes(code: 200, userIds: [3, 1, 2], username: "ann", token: "v1.100.abc/def+g=="),
        LoginResMes(code: 200, userIds: Array(0..<1000), username: "名前 \"quoted\" back\\slash"),
        LoginResMes(code: 401, error: "wrong password"),
        LoginResMes(code: 200, userIds: [-1, Int.max], error: "", username: nil, token: "t"),
        LoginResMes(code: 200, userIds: [7, 8], username: "ann", token: "t", online: 100_000),
    ]

    @Test(arguments: replies)
    func sameBytesAsJSONEncoder(reply: LoginResMes) throws {
        #expect(reply.frame() == ServerMessage.loginResult(reply).frame())
    }

    /// A large room's reply: the caller first when the cached part lacks them.
    @Test func aLeadingIDComesFirst() throws {
        let reply = LoginResMes(code: 200, username: "ann", online: 5000)
        var listed = reply
        listed.userIds = [42, 1, 2, 3]
        #expect(reply.frame(listing: .init([1, 2, 3]), leading: 42) == ServerMessage.loginResult(listed).frame())
        listed.userIds = [42]
        #expect(reply.frame(listing: .init([]), leading: 42) == ServerMessage.loginResult(listed).frame())
    }

    /// A seed client reads a reply with one 8096-byte buffer: the longest reply listing
    /// 1,000 six-digit ids (the default `presence_notices_max_users`) must fit it.
    @Test func aThousandIDsFitTheSeedBuffer() {
        let reply = LoginResMes(
            code: 200,
            username: String(repeating: "\"", count: 64),
            token: String(repeating: "t", count: 100),
            online: 99_999_999
        )
        let frame = reply.frame(listing: .init(Array(999_001...999_999)), leading: 999_000)
        #expect(frame.readableBytes <= 8096)
    }

    @Test func controlCharactersSurviveARoundTrip() throws {
        let reply = LoginResMes(code: 200, userIds: [1], error: "tab\there\u{1}", username: "a\nb")
        var frame = reply.frame()
        frame.moveReaderIndex(forwardBy: 4)
        let decoded = try ServerMessage.decode(frame)
        #expect(decoded == .loginResult(reply))
    }
}
