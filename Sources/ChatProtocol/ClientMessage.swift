// SPDX-License-Identifier: Apache-2.0
import NIOCore

/// Everything a client may send to the server.
public enum ClientMessage: Sendable, Equatable {
    case register(RegisterMes)
    case login(LoginMes)
    case sms(SmsMes)
    case privateMessage(PrivateMes)
    case onlineUsers
    case history(HistoryMes)
    case ping(PingMes)
    case pong(PingMes)
    case logout

    public var type: MessageType {
        switch self {
        case .register: return .register
        case .login: return .login
        case .sms: return .sms
        case .privateMessage: return .privateMessage
        case .onlineUsers: return .onlineUsers
        case .history: return .history
        case .ping: return .ping
        case .pong: return .pong
        case .logout: return .logout
        }
    }

    public var envelope: Envelope {
        switch self {
        case .register(let m): return .make(.register, m)
        case .login(let m): return .make(.login, m)
        case .sms(let m): return .make(.sms, m)
        case .privateMessage(let m): return .make(.privateMessage, m)
        case .onlineUsers: return .make(.onlineUsers, EmptyMes())
        case .history(let m): return .make(.history, m)
        case .ping(let m): return .make(.ping, m)
        case .pong(let m): return .make(.pong, m)
        case .logout: return .make(.logout, EmptyMes())
        }
    }

    public func frame() -> ByteBuffer { self.envelope.frame() }

    /// Decodes a frame body (the bytes after the length prefix).
    public static func decode(_ body: ByteBuffer) throws(ProtocolError) -> ClientMessage {
        try self.decode(Envelope.decode(body))
    }

    public static func decode(_ envelope: Envelope) throws(ProtocolError) -> ClientMessage {
        guard let type = MessageType(rawValue: envelope.type) else { throw .unknownType(envelope.type) }
        let data = envelope.data
        let name = envelope.type
        switch type {
        case .register: return .register(try PayloadCoder.decode(RegisterMes.self, from: data, messageType: name))
        case .login: return .login(try PayloadCoder.decode(LoginMes.self, from: data, messageType: name))
        case .sms: return .sms(try PayloadCoder.decode(SmsMes.self, from: data, messageType: name))
        case .privateMessage:
            return .privateMessage(try PayloadCoder.decode(PrivateMes.self, from: data, messageType: name))
        case .onlineUsers: return .onlineUsers
        case .history: return .history(try PayloadCoder.decode(HistoryMes.self, from: data, messageType: name))
        case .ping: return .ping(try PayloadCoder.decode(PingMes.self, from: data, messageType: name))
        case .pong: return .pong(try PayloadCoder.decode(PingMes.self, from: data, messageType: name))
        case .logout: return .logout
        case .loginResult, .registerResult, .notifyUserStatus, .smsResult, .privateResult,
            .onlineUsersResult, .historyResult, .offline, .kicked, .error:
            // Known, but only the server sends these.
            throw .unknownType(envelope.type)
        }
    }
}
