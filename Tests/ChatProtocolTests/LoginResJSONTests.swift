import ChatProtocol
import Testing

/// The hand-written LoginResMes payload is what JSONEncoder would write.
@Suite struct LoginResJSONTests {
    static let replies: [LoginResMes] = [
        LoginResMes(code: 200, userIds: [3, 1, 2], username: "ann", token: "v1.100.abc/def+g=="),
        LoginResMes(code: 200, userIds: Array(0..<1000), username: "名前 \"quoted\" back\\slash"),
        LoginResMes(code: 401, error: "wrong password"),
        LoginResMes(code: 200, userIds: [-1, Int.max], error: "", username: nil, token: "t"),
    ]

    @Test(arguments: replies)
    func sameBytesAsJSONEncoder(reply: LoginResMes) throws {
        #expect(reply.payloadJSON == PayloadCoder.encode(reply))
    }

    @Test func controlCharactersSurviveARoundTrip() throws {
        let reply = LoginResMes(code: 200, userIds: [1], error: "tab\there\u{1}", username: "a\nb")
        let decoded = try ServerMessage.decode(ServerMessage.loginResult(reply).envelope)
        #expect(decoded == .loginResult(reply))
    }
}
