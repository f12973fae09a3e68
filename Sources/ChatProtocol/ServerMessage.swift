// SPDX-License-Identifier: Apache-2.0
import NIOCore

/// Everything the server may send to a client.
public enum ServerMessage: Sendable, Equatable {
    case registerResult(RegisterResMes)
    case loginResult(LoginResMes)
    case notifyUserStatus(NotifyUserStatusMes)
    case sms(SmsMes)
    case smsResult(SmsResMes)
    case privateMessage(PrivateMes)
    case privateResult(PrivateResMes)
    case onlineUsers(OnlineUsersResMes)
    case history(HistoryResMes)
    case offline(OfflineMes)
    case ping(PingMes)
    case pong(PingMes)
    case kicked(KickedMes)
    case error(ErrorMes)

    public var type: MessageType {
        switch self {
        case .registerResult: return .registerResult
        case .loginResult: return .loginResult
        case .notifyUserStatus: return .notifyUserStatus
        case .sms: return .sms
        case .smsResult: return .smsResult
        case .privateMessage: return .privateMessage
        case .privateResult: return .privateResult
        case .onlineUsers: return .onlineUsersResult
        case .history: return .historyResult
        case .offline: return .offline
        case .ping: return .ping
        case .pong: return .pong
        case .kicked: return .kicked
        case .error: return .error
        }
    }

    public var envelope: Envelope {
        switch self {
        case .registerResult(let m): return .make(.registerResult, m)
        case .loginResult(let m): return .make(.loginResult, m)
        case .notifyUserStatus(let m): return .make(.notifyUserStatus, m)
        case .sms(let m): return .make(.sms, m)
        case .smsResult(let m): return .make(.smsResult, m)
        case .privateMessage(let m): return .make(.privateMessage, m)
        case .privateResult(let m): return .make(.privateResult, m)
        case .onlineUsers(let m): return .make(.onlineUsersResult, m)
        case .history(let m): return .make(.historyResult, m)
        case .offline(let m): return .make(.offline, m)
        case .ping(let m): return .make(.ping, m)
        case .pong(let m): return .make(.pong, m)
        case .kicked(let m): return .make(.kicked, m)
        case .error(let m): return .make(.error, m)
        }
    }

    /// The whole frame, length prefix included. Encode once, write to many.
    public func frame() -> ByteBuffer { self.envelope.frame() }

    public static func decode(_ body: ByteBuffer) throws(ProtocolError) -> ServerMessage {
        try self.decode(Envelope.decode(body))
    }

    public static func decode(_ envelope: Envelope) throws(ProtocolError) -> ServerMessage {
        guard let type = MessageType(rawValue: envelope.type) else { throw .unknownType(envelope.type) }
        let d = envelope.data
        let n = envelope.type
        switch type {
        case .registerResult:
            return .registerResult(try PayloadCoder.decode(RegisterResMes.self, from: d, messageType: n))
        case .loginResult: return .loginResult(try PayloadCoder.decode(LoginResMes.self, from: d, messageType: n))
        case .notifyUserStatus:
            return .notifyUserStatus(try PayloadCoder.decode(NotifyUserStatusMes.self, from: d, messageType: n))
        case .sms: return .sms(try PayloadCoder.decode(SmsMes.self, from: d, messageType: n))
        case .smsResult: return .smsResult(try PayloadCoder.decode(SmsResMes.self, from: d, messageType: n))
        case .privateMessage: return .privateMessage(try PayloadCoder.decode(PrivateMes.self, from: d, messageType: n))
        case .privateResult: return .privateResult(try PayloadCoder.decode(PrivateResMes.self, from: d, messageType: n))
        case .onlineUsersResult:
            return .onlineUsers(try PayloadCoder.decode(OnlineUsersResMes.self, from: d, messageType: n))
        case .historyResult: return .history(try PayloadCoder.decode(HistoryResMes.self, from: d, messageType: n))
        case .offline: return .offline(try PayloadCoder.decode(OfflineMes.self, from: d, messageType: n))
        case .ping: return .ping(try PayloadCoder.decode(PingMes.self, from: d, messageType: n))
        case .pong: return .pong(try PayloadCoder.decode(PingMes.self, from: d, messageType: n))
        case .kicked: return .kicked(try PayloadCoder.decode(KickedMes.self, from: d, messageType: n))
        case .error: return .error(try PayloadCoder.decode(ErrorMes.self, from: d, messageType: n))
        case .login, .register, .onlineUsers, .history, .logout:
            throw .unknownType(envelope.type)
        }
    }
}
