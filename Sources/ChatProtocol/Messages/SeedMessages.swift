// SPDX-License-Identifier: Apache-2.0
// The seed's six message types. JSON keys exactly as the seed's Go struct tags.

/// The seed's `User`, embedded in `RegisterMes` (and flattened into `SmsMes`).
public struct User: Codable, Sendable, Equatable {
    public var userid: Int
    public var userpwd: String
    public var username: String
    public var userstatus: Int

    public init(userid: Int, userpwd: String, username: String, userstatus: Int = UserStatus.online) {
        self.userid = userid
        self.userpwd = userpwd
        self.username = username
        self.userstatus = userstatus
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.userid = try c.lenient(.userid, 0)
        self.userpwd = try c.lenient(.userpwd, "")
        self.username = try c.lenient(.username, "")
        self.userstatus = try c.lenient(.userstatus, 0)
    }
}

public struct RegisterMes: Codable, Sendable, Equatable {
    public var user: User
    public init(user: User) { self.user = user }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.user = try c.lenient(.user, User(userid: 0, userpwd: "", username: ""))
    }
}

public struct RegisterResMes: Codable, Sendable, Equatable {
    public var code: Int
    public var error: String
    public init(code: Int, error: String = "") {
        self.code = code
        self.error = error
    }
}

public struct LoginMes: Codable, Sendable, Equatable {
    public var userid: Int
    public var userpwd: String
    public var username: String
    /// Extension: a resume token from an earlier `LoginResMes`, instead of `userpwd`.
    public var token: String?

    public init(userid: Int, userpwd: String, username: String = "", token: String? = nil) {
        self.userid = userid
        self.userpwd = userpwd
        self.username = username
        self.token = token
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.userid = try c.lenient(.userid, 0)
        self.userpwd = try c.lenient(.userpwd, "")
        self.username = try c.lenient(.username, "")
        self.token = try c.decodeIfPresent(String.self, forKey: .token)
    }
}

public struct LoginResMes: Codable, Sendable, Equatable {
    public var code: Int
    /// Online users' ids, the caller's included: all of them, or — in a large room,
    /// where `online` is set — a part. The seed's key has no tag: `UserIds`.
    public var userIds: [Int]
    public var error: String
    /// Extension: the caller's stored name.
    public var username: String?
    /// Extension: resume token.
    public var token: String?
    /// Extension: how many users are online, sent when `UserIds` lists only some of them.
    public var online: Int?

    enum CodingKeys: String, CodingKey {
        case code, error, username, token, online
        case userIds = "UserIds"
    }

    public init(
        code: Int,
        userIds: [Int] = [],
        error: String = "",
        username: String? = nil,
        token: String? = nil,
        online: Int? = nil
    ) {
        self.code = code
        self.userIds = userIds
        self.error = error
        self.username = username
        self.token = token
        self.online = online
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.code = try c.lenient(.code, 0)
        self.userIds = try c.lenient(.userIds, [])
        self.error = try c.lenient(.error, "")
        self.username = try c.decodeIfPresent(String.self, forKey: .username)
        self.token = try c.decodeIfPresent(String.self, forKey: .token)
        self.online = try c.decodeIfPresent(Int.self, forKey: .online)
    }
}

public struct NotifyUserStatusMes: Codable, Sendable, Equatable {
    public var userid: Int
    public var status: Int
    /// Extension: the user's name, so clients need no lookup.
    public var username: String?

    public init(userid: Int, status: Int, username: String? = nil) {
        self.userid = userid
        self.status = status
        self.username = username
    }
}

/// A group message. From a client only `content` counts: the server fills the
/// sender from the session and always sends `userpwd` as "".
public struct SmsMes: Codable, Sendable, Equatable {
    public var content: String
    public var userid: Int
    public var userpwd: String
    public var username: String
    public var userstatus: Int
    /// Extensions, set by the server.
    public var id: String?
    public var ts: Int64?

    public init(
        content: String,
        userid: Int = 0,
        username: String = "",
        userstatus: Int = 0,
        id: String? = nil,
        ts: Int64? = nil
    ) {
        self.content = content
        self.userid = userid
        self.userpwd = ""
        self.username = username
        self.userstatus = userstatus
        self.id = id
        self.ts = ts
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.content = try c.lenient(.content, "")
        self.userid = try c.lenient(.userid, 0)
        self.userpwd = try c.lenient(.userpwd, "")
        self.username = try c.lenient(.username, "")
        self.userstatus = try c.lenient(.userstatus, 0)
        self.id = try c.decodeIfPresent(String.self, forKey: .id)
        self.ts = try c.decodeIfPresent(Int64.self, forKey: .ts)
    }
}
