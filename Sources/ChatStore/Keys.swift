// SPDX-License-Identifier: Apache-2.0
/// The Redis key schema. No other module names a Redis key.
///
/// - `<prefix>user:<id>` hash: username, password (scrypt with parameters), created,
///   disabled, last_login, group_cursor (last group message id seen), inbox_cursor
///   (last inbox entry delivered), token_epoch (resume tokens carry it; bumped by
///   disable and password change, which revokes them).
/// - `<prefix>room:lobby` stream: group history; stream ids are message ids.
/// - `<prefix>dm:<low>:<high>` stream: one private conversation, both directions.
/// - `<prefix>inbox:<id>` stream: private messages to the user, for offline delivery.
/// - `<prefix>nodes`, `<prefix>presence:<node>`, `<prefix>bus`: several nodes, see ChatStore+Cluster.
/// - `<prefix>reply:<query>` list: the nodes' answers to one question asked on the bus
///   (`chatctl sessions --all-nodes`), for a few seconds; see ChatStore+Queries.
/// - `<prefix>secret:token` string: the resume tokens' HMAC key, when no key file is
///   configured (a developer's setup).
/// - `<prefix>deleted:<id>` string: a deleted user's tombstone (deletion time, ms); the
///   id is never registered again.
/// - `<prefix>revoked:<id>:<family>` string: a token family ended by a logout, until its
///   tokens would have expired anyway.
/// - `<prefix>limit:<what>:<key>` string: a count of events (registrations, failed logins
///   from an address) in a fixed window, expiring with it; shared by every node.
/// - `user` (no prefix, configurable): the seed's hash, field = id, value = seed
///   User JSON with a clear-text password. Read for import, then emptied.
struct Keys: Sendable {
    let prefix: String
    let seedUsers: String

    func user(_ id: Int) -> String { "\(prefix)user:\(id)" }
    var userPattern: String { Self.globEscaped(prefix) + "user:*" }
    var room: String { "\(prefix)room:lobby" }
    /// Live nodes (sorted set by heartbeat), their presence hashes, and the bus channel.
    var nodes: String { "\(prefix)nodes" }
    var presencePrefix: String { "\(prefix)presence:" }
    /// A node's description of itself (address, version, sessions), for admins.
    func nodeInfo(_ node: String) -> String { "\(prefix)node:\(node)" }
    var bus: String { "\(prefix)bus" }
    /// The answers to one question on the bus, one JSON per node.
    func queryReplies(_ query: String) -> String { "\(prefix)reply:\(query)" }
    /// The resume tokens' HMAC key (base64), shared by every node.
    var tokenKey: String { "\(prefix)secret:token" }
    func inbox(_ id: Int) -> String { "\(prefix)inbox:\(id)" }
    /// A throttle's count, such as `limit:register:192.0.2.1`.
    func limit(_ name: String) -> String { "\(prefix)limit:\(name)" }
    func tombstone(_ id: Int) -> String { "\(prefix)deleted:\(id)" }
    func revokedTokens(_ id: Int, family: UInt64) -> String { "\(prefix)revoked:\(id):\(family)" }
    /// SCAN patterns of every conversation `id` is part of (as the lower and as the higher id).
    func conversationPatterns(_ id: Int) -> [String] {
        let dm = Self.globEscaped(prefix) + "dm:"
        return [dm + "\(id):*", dm + "*:\(id)"]
    }
    func conversation(_ a: Int, _ b: Int) -> String { "\(prefix)dm:\(min(a, b)):\(max(a, b))" }

    /// `text` matched literally by SCAN's MATCH (a prefix may contain glob characters).
    static func globEscaped(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if "*?[]\\".contains(character) { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }

    /// The user id in a key produced by `user(_:)`, or nil.
    func userID(fromKey key: String) -> Int? {
        let head = "\(prefix)user:"
        guard key.hasPrefix(head) else { return nil }
        return Int(key.dropFirst(head.count))
    }
}

/// Field names of the user hash.
enum UserField {
    static let username = "username"
    static let password = "password"
    static let created = "created"
    static let disabled = "disabled"
    static let lastLogin = "last_login"
    static let groupCursor = "group_cursor"
    static let inboxCursor = "inbox_cursor"
    /// Bumped to revoke every resume token issued so far.
    static let tokenEpoch = "token_epoch"
}
