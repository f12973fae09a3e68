// SPDX-License-Identifier: Apache-2.0
import ChatProtocol

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One line of `--json` output: a flat object whose `type` is the protocol's
/// message type, e.g. `{"type":"SmsMes","from":100,"username":"ann","content":"hi","id":"…","ts":…}`.
/// Stored messages (history, offline delivery) use the same shape as live ones,
/// so a script handles them alike; offline ones carry `"offline":true`.
public struct JSONEvent: Encodable, Sendable, Equatable {
    public var type: String
    public var from: Int?
    public var username: String?
    public var to: Int?
    public var content: String?
    public var id: String?
    public var ts: Int64?
    public var userid: Int?
    public var status: Int?
    public var code: Int?
    public var error: String?
    public var reason: String?
    public var offline: Bool?
    public var users: [OnlineUser]?
    /// On a `KickedMes` that allows coming back (shutdown, slow consumer): true.
    public var reconnect: Bool?
    /// On the `reconnected` event: how many missed messages follow.
    public var missed: Int?

    init(type: MessageType) { self.type = type.rawValue }

    /// The events a message yields in `listen --json` (acks and pings yield none).
    public static func events(for message: ServerMessage) -> [JSONEvent] {
        switch message {
        case .sms(let m):
            var e = JSONEvent(type: .sms)
            (e.from, e.username, e.content, e.id, e.ts) = (m.userid, m.username, m.content, m.id, m.ts)
            return [e]
        case .privateMessage(let m):
            var e = JSONEvent(type: .privateMessage)
            (e.from, e.username, e.to, e.content, e.id, e.ts) = (m.from, m.username, m.to, m.content, m.id, m.ts)
            return [e]
        case .notifyUserStatus(let m):
            var e = JSONEvent(type: .notifyUserStatus)
            (e.userid, e.username, e.status) = (m.userid, m.username, m.status)
            return [e]
        case .offline(let m):
            return m.messages.map { record in
                var e = JSONEvent(record: record)
                e.offline = true
                return e
            }
        case .onlineUsers(let m):
            var e = JSONEvent(type: .onlineUsersResult)
            (e.code, e.users) = (m.code, m.users)
            return [e]
        case .kicked(let m):
            var e = JSONEvent(type: .kicked)
            (e.reason, e.reconnect) = (m.reason, m.reconnect == true ? true : nil)
            return [e]
        case .error(let m):
            var e = JSONEvent(type: .error)
            (e.code, e.error) = (m.code, m.error)
            return [e]
        case .history(let m):
            return m.messages.map(JSONEvent.init(record:))
        case .loginResult, .registerResult, .smsResult, .privateResult, .ping, .pong:
            return []
        }
    }

    /// Not a protocol message but the client's own event: logged in again after a lost
    /// connection; the `missed` messages (`"offline":true`) follow.
    public static func reconnected(missed: Int) -> JSONEvent {
        var e = JSONEvent(type: "reconnected")
        e.missed = missed
        return e
    }

    private init(type: String) { self.type = type }

    /// A stored message as the live message it once was (`SmsMes` or `PrivateMes`).
    public init(record r: ChatRecord) {
        self.type = (r.to == nil ? MessageType.sms : .privateMessage).rawValue
        (self.from, self.username, self.to, self.content, self.id, self.ts) = (
            r.from, r.username, r.to, r.content, r.id, r.ts
        )
    }

    /// One line of JSON, keys sorted so output is stable; controls that JSON leaves
    /// raw (C1, bidi) escaped, as this goes to terminals too.
    public func line() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Strings, ints and bools only: encoding cannot fail.
        let data = (try? encoder.encode(self)) ?? Data("{}".utf8)
        return TerminalText.escapedJSON(String(decoding: data, as: UTF8.self))
    }
}
