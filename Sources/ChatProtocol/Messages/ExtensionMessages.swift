// SPDX-License-Identifier: Apache-2.0
// Extension message types (PROTOCOL.md §1 "Extensions"). A seed client ignores them.

/// Ack of a group message, sent only after the message is stored.
public struct SmsResMes: Codable, Sendable, Equatable {
    public var code: Int
    public var error: String
    public var id: String?
    public var ts: Int64?
    public init(code: Int, error: String = "", id: String? = nil, ts: Int64? = nil) {
        self.code = code
        self.error = error
        self.id = id
        self.ts = ts
    }
}

/// A private message. From a client: `to` and `content`; from the server also
/// `from`, `username`, `id`, `ts`.
public struct PrivateMes: Codable, Sendable, Equatable {
    public var to: Int
    public var content: String
    public var from: Int?
    public var username: String?
    public var id: String?
    public var ts: Int64?

    public init(
        to: Int,
        content: String,
        from: Int? = nil,
        username: String? = nil,
        id: String? = nil,
        ts: Int64? = nil
    ) {
        self.to = to
        self.content = content
        self.from = from
        self.username = username
        self.id = id
        self.ts = ts
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.to = try c.lenient(.to, 0)
        self.content = try c.lenient(.content, "")
        self.from = try c.decodeIfPresent(Int.self, forKey: .from)
        self.username = try c.decodeIfPresent(String.self, forKey: .username)
        self.id = try c.decodeIfPresent(String.self, forKey: .id)
        self.ts = try c.decodeIfPresent(Int64.self, forKey: .ts)
    }
}

public struct PrivateResMes: Codable, Sendable, Equatable {
    public var code: Int
    public var error: String
    public var id: String?
    public var ts: Int64?
    /// True when at least one of the recipient's sessions got it live.
    public var delivered: Bool
    public init(code: Int, error: String = "", id: String? = nil, ts: Int64? = nil, delivered: Bool = false) {
        self.code = code
        self.error = error
        self.id = id
        self.ts = ts
        self.delivered = delivered
    }
}

/// A request without fields (`OnlineUsersMes`, `LogoutMes`).
public struct EmptyMes: Codable, Sendable, Equatable {
    public init() {}
}

public struct OnlineUser: Codable, Sendable, Equatable {
    public var userid: Int
    public var username: String
    public var status: Int
    public init(userid: Int, username: String, status: Int = UserStatus.online) {
        self.userid = userid
        self.username = username
        self.status = status
    }
}

public struct OnlineUsersResMes: Codable, Sendable, Equatable {
    public var code: Int
    public var error: String
    public var users: [OnlineUser]
    public init(code: Int = StatusCode.ok, error: String = "", users: [OnlineUser]) {
        self.code = code
        self.error = error
        self.users = users
    }
}

/// A stored message as history and offline delivery return it. `to` is nil for
/// the group room, the recipient's id for a private message.
public struct ChatRecord: Codable, Sendable, Equatable {
    public var id: String
    public var ts: Int64
    public var from: Int
    public var username: String
    public var content: String
    public var to: Int?

    public init(id: String, ts: Int64, from: Int, username: String, content: String, to: Int? = nil) {
        self.id = id
        self.ts = ts
        self.from = from
        self.username = username
        self.content = content
        self.to = to
    }
}

/// Group history, or the conversation with one user when `with` is set; newest
/// first, `limit` messages strictly older than `before`.
public struct HistoryMes: Codable, Sendable, Equatable {
    public var before: String?
    public var limit: Int?
    public var with: Int?
    public init(before: String? = nil, limit: Int? = nil, with: Int? = nil) {
        self.before = before
        self.limit = limit
        self.with = with
    }
}

public struct HistoryResMes: Codable, Sendable, Equatable {
    public var code: Int
    public var error: String
    public var messages: [ChatRecord]
    /// True when older messages exist: page on with `before` = the last id here.
    public var more: Bool
    public init(code: Int = StatusCode.ok, error: String = "", messages: [ChatRecord] = [], more: Bool = false) {
        self.code = code
        self.error = error
        self.messages = messages
        self.more = more
    }
}

/// Sent right after a successful login: what arrived while none of the user's
/// sessions was online, oldest first. When more was missed than the configured
/// bound allows, the newest are sent, `more` is true and `note` says so.
public struct OfflineMes: Codable, Sendable, Equatable {
    public var code: Int
    public var error: String
    public var messages: [ChatRecord]
    public var more: Bool
    public var note: String?
    public init(messages: [ChatRecord], more: Bool = false, note: String? = nil) {
        self.code = StatusCode.ok
        self.error = ""
        self.messages = messages
        self.more = more
        self.note = note
    }
}

/// Heartbeat both ways; `ts` (if sent) is echoed back in the `PongMes`.
public struct PingMes: Codable, Sendable, Equatable {
    public var ts: Int64?
    public init(ts: Int64? = nil) { self.ts = ts }
}

public struct KickedMes: Codable, Sendable, Equatable {
    public var reason: String
    /// True when the server is going away or restarting, not refusing the user: a client
    /// may log in again with its resume token (after a backoff). Absent means false.
    public var reconnect: Bool?
    public init(reason: String, reconnect: Bool? = nil) {
        self.reason = reason
        self.reconnect = reconnect
    }
}

public struct ErrorMes: Codable, Sendable, Equatable {
    public var code: Int
    public var error: String
    public init(code: Int, error: String) {
        self.code = code
        self.error = error
    }
}
