// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import ChatTesting
import Foundation
import NIOCore
import NIOPosix
import RedisClient
import Testing

/// Picks messages of one kind out of the stream.
enum Pick {
    static func sms(_ m: ServerMessage) -> SmsMes? { if case .sms(let x) = m { x } else { nil } }
    static func smsResult(_ m: ServerMessage) -> SmsResMes? { if case .smsResult(let x) = m { x } else { nil } }
    static func privateMessage(_ m: ServerMessage) -> PrivateMes? {
        if case .privateMessage(let x) = m { x } else { nil }
    }
    static func privateResult(_ m: ServerMessage) -> PrivateResMes? {
        if case .privateResult(let x) = m { x } else { nil }
    }
    static func notify(_ m: ServerMessage) -> NotifyUserStatusMes? {
        if case .notifyUserStatus(let x) = m { x } else { nil }
    }
    static func error(_ m: ServerMessage) -> ErrorMes? { if case .error(let x) = m { x } else { nil } }
    static func kicked(_ m: ServerMessage) -> KickedMes? { if case .kicked(let x) = m { x } else { nil } }
    static func history(_ m: ServerMessage) -> HistoryResMes? { if case .history(let x) = m { x } else { nil } }
    static func online(_ m: ServerMessage) -> OnlineUsersResMes? { if case .onlineUsers(let x) = m { x } else { nil } }
    static func pong(_ m: ServerMessage) -> PingMes? { if case .pong(let x) = m { x } else { nil } }
    static func login(_ m: ServerMessage) -> LoginResMes? { if case .loginResult(let x) = m { x } else { nil } }
    static func register(_ m: ServerMessage) -> RegisterResMes? {
        if case .registerResult(let x) = m { x } else { nil }
    }
}

/// A frame as the seed's Go client writes it: length, then `{"type":…,"data":"<json>"}`.
func seedFrame(_ type: String, _ payloadJSON: String) -> ByteBuffer {
    var escaped = ""
    for character in payloadJSON {
        if character == "\"" || character == "\\" { escaped.append("\\") }
        escaped.append(character)
    }
    let body = #"{"type":""# + type + #"","data":""# + escaped + #""}"#
    var buffer = ByteBuffer()
    buffer.writeInteger(UInt32(body.utf8.count))
    buffer.writeString(body)
    return buffer
}

extension Deployment {
    /// Asks chatd with `chatctl --json ARGS` until `done` holds for its output: for what
    /// the server has seen (a connection closed, a session ended) that no client can
    /// observe. False when it never did.
    func waitUntilChatctl(_ arguments: [String], shows done: (String) -> Bool) async throws -> Bool {
        for _ in 0..<200 {
            let run = try await runToCompletion(
                productPath("chatctl"),
                ["--socket", self.chatd.controlSocket, "--json"] + arguments
            )
            if run.status == 0, done(run.output) { return true }
            try await Task.sleep(for: .milliseconds(50))  // between questions, not instead of one
        }
        return false
    }
}
