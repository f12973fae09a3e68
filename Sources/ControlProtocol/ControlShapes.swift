// SPDX-License-Identifier: Apache-2.0

/// The shapes results share (docs/CONTROL.md "Shapes used below"): snake_case on the
/// wire, times in milliseconds since the epoch.

/// A live session. `node` only in `sessions.list` with `all_nodes`.
public struct ControlSession: Codable, Sendable, Equatable {
    public var sessionID: String
    public var userID: Int
    public var username: String
    public var peer: String
    public var connectedAt: Int64
    public var idleSeconds: Int
    public var messagesIn: Int
    public var messagesOut: Int
    public var node: String?

    public init(
        sessionID: String,
        userID: Int,
        username: String,
        peer: String,
        connectedAt: Int64,
        idleSeconds: Int,
        messagesIn: Int,
        messagesOut: Int,
        node: String? = nil
    ) {
        self.sessionID = sessionID
        self.userID = userID
        self.username = username
        self.peer = peer
        self.connectedAt = connectedAt
        self.idleSeconds = idleSeconds
        self.messagesIn = messagesIn
        self.messagesOut = messagesOut
        self.node = node
    }

    enum CodingKeys: String, CodingKey {
        case sessionID = "session_id"
        case userID = "user_id"
        case username, peer
        case connectedAt = "connected_at"
        case idleSeconds = "idle_seconds"
        case messagesIn = "messages_in"
        case messagesOut = "messages_out"
        case node
    }
}

/// A user record. `last_login` is `null` (not absent) before the first login.
public struct ControlUser: Codable, Sendable, Equatable {
    public var userID: Int
    public var username: String
    public var created: Int64
    public var disabled: Bool
    public var lastLogin: Int64?
    public var tokenEpoch: Int
    public var seedRecord: Bool

    public init(
        userID: Int,
        username: String,
        created: Int64,
        disabled: Bool,
        lastLogin: Int64?,
        tokenEpoch: Int,
        seedRecord: Bool
    ) {
        self.userID = userID
        self.username = username
        self.created = created
        self.disabled = disabled
        self.lastLogin = lastLogin
        self.tokenEpoch = tokenEpoch
        self.seedRecord = seedRecord
    }

    enum CodingKeys: String, CodingKey {
        case userID = "user_id"
        case username, created, disabled
        case lastLogin = "last_login"
        case tokenEpoch = "token_epoch"
        case seedRecord = "seed_record"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(self.userID, forKey: .userID)
        try c.encode(self.username, forKey: .username)
        try c.encode(self.created, forKey: .created)
        try c.encode(self.disabled, forKey: .disabled)
        try c.encode(self.lastLogin, forKey: .lastLogin)  // null, not absent
        try c.encode(self.tokenEpoch, forKey: .tokenEpoch)
        try c.encode(self.seedRecord, forKey: .seedRecord)
    }
}

/// `user.get`'s user: the record, that a password exists (never the hash), live sessions.
public struct ControlUserDetail: Codable, Sendable, Equatable {
    public var user: ControlUser
    public var password: String
    public var sessions: Int

    public init(user: ControlUser, password: String = "<redacted>", sessions: Int) {
        self.user = user
        self.password = password
        self.sessions = sessions
    }

    enum CodingKeys: String, CodingKey { case password, sessions }

    /// One flat object: the record's fields next to these two.
    public init(from decoder: any Decoder) throws {
        self.user = try ControlUser(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.password = try c.decode(String.self, forKey: .password)
        self.sessions = try c.decode(Int.self, forKey: .sessions)
    }

    public func encode(to encoder: any Encoder) throws {
        try self.user.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(self.password, forKey: .password)
        try c.encode(self.sessions, forKey: .sessions)
    }
}

/// A user online, with their number of sessions (`users.online`).
public struct ControlOnlineUser: Codable, Sendable, Equatable {
    public var userID: Int
    public var username: String
    public var sessions: Int

    public init(userID: Int, username: String, sessions: Int) {
        self.userID = userID
        self.username = username
        self.sessions = sessions
    }

    enum CodingKeys: String, CodingKey {
        case userID = "user_id"
        case username, sessions
    }
}

/// A node as it described itself at its last heartbeat (`nodes.list`); what it did
/// not say is `null`.
public struct ControlNode: Codable, Sendable, Equatable {
    public var node: String
    public var thisNode: Bool
    public var address: String?
    public var version: String?
    public var sessions: Int64?
    public var users: Int64?
    public var started: Int64?
    public var lastHeartbeat: Int64

    public init(
        node: String,
        thisNode: Bool,
        address: String?,
        version: String?,
        sessions: Int64?,
        users: Int64?,
        started: Int64?,
        lastHeartbeat: Int64
    ) {
        self.node = node
        self.thisNode = thisNode
        self.address = address
        self.version = version
        self.sessions = sessions
        self.users = users
        self.started = started
        self.lastHeartbeat = lastHeartbeat
    }

    enum CodingKeys: String, CodingKey {
        case node
        case thisNode = "this_node"
        case address, version, sessions, users, started
        case lastHeartbeat = "last_heartbeat"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(self.node, forKey: .node)
        try c.encode(self.thisNode, forKey: .thisNode)
        try c.encode(self.address, forKey: .address)  // the optionals are null, not absent
        try c.encode(self.version, forKey: .version)
        try c.encode(self.sessions, forKey: .sessions)
        try c.encode(self.users, forKey: .users)
        try c.encode(self.started, forKey: .started)
        try c.encode(self.lastHeartbeat, forKey: .lastHeartbeat)
    }
}

/// The counters of `stats`: one node's (with `redis`, `uptime_seconds`, and `node` when
/// it is a part of an all-nodes answer), or summed over all nodes (with `nodes`,
/// `nodes_answered`, `nodes_missing`). Absent fields are left out, not `null`.
public struct ControlStats: Codable, Sendable, Equatable {
    public var sessions: Int
    public var usersOnline: Int
    public var connections: Int
    public var connectionsNotLoggedIn: Int
    public var messagesIn: Int
    public var messagesOut: Int
    public var redis: String?
    public var uptimeSeconds: Int?
    public var node: String?
    public var nodes: [ControlStats]?
    public var nodesAnswered: [String]?
    public var nodesMissing: [String]?

    public init(
        sessions: Int,
        usersOnline: Int,
        connections: Int,
        connectionsNotLoggedIn: Int,
        messagesIn: Int,
        messagesOut: Int,
        redis: String? = nil,
        uptimeSeconds: Int? = nil,
        node: String? = nil,
        nodes: [ControlStats]? = nil,
        nodesAnswered: [String]? = nil,
        nodesMissing: [String]? = nil
    ) {
        self.sessions = sessions
        self.usersOnline = usersOnline
        self.connections = connections
        self.connectionsNotLoggedIn = connectionsNotLoggedIn
        self.messagesIn = messagesIn
        self.messagesOut = messagesOut
        self.redis = redis
        self.uptimeSeconds = uptimeSeconds
        self.node = node
        self.nodes = nodes
        self.nodesAnswered = nodesAnswered
        self.nodesMissing = nodesMissing
    }

    enum CodingKeys: String, CodingKey {
        case sessions
        case usersOnline = "users_online"
        case connections
        case connectionsNotLoggedIn = "connections_not_logged_in"
        case messagesIn = "messages_in"
        case messagesOut = "messages_out"
        case redis
        case uptimeSeconds = "uptime_seconds"
        case node, nodes
        case nodesAnswered = "nodes_answered"
        case nodesMissing = "nodes_missing"
    }
}
