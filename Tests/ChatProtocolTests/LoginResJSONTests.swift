import ChatProtocol
import Testing

/// The hand-written LoginResMes frame is what the generic envelope path writes.
@Suite struct LoginResJSONTests {
    static let replies: [LoginResMes] = [
        LoginResMes(code: 200, userIds: [3, 1, 2], username: "ann", token: "v1.100.abc/def+g=="),
        LoginResMes(code: 200, userIds: Array(0..<1000), username: "名前 \"quoted\" back\\slash"),
        LoginResMes(code: 401, error: "wrong password"),
        LoginResMes(code: 200, userIds: [-1, Int.max], error: "", username: nil, token: "t"),
    ]

    @Test(arguments: replies)
    func sameBytesAsJSONEncoder(reply: LoginResMes) throws {
        #expect(reply.frame() == ServerMessage.loginResult(reply).frame())
    }

    @Test func controlCharactersSurviveARoundTrip() throws {
        let reply = LoginResMes(code: 200, userIds: [1], error: "tab\there\u{1}", username: "a\nb")
        var frame = reply.frame()
        frame.moveReaderIndex(forwardBy: 4)
        let decoded = try ServerMessage.decode(frame)
        #expect(decoded == .loginResult(reply))
    }
}
