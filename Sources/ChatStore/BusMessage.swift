// SPDX-License-Identifier: Apache-2.0
/// What nodes tell each other over the Redis bus (one pub/sub channel): frames to
/// deliver to their local sessions, presence changes, kicks, questions for every node.
/// JSON on the wire; a node that cannot decode a message (a kind newer than it) skips it.
public struct BusMessage: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        /// Deliver `frame` (an envelope's JSON) to local sessions: to `toUser`'s, or to
        /// everyone but `exceptSession` and `exceptUser`'s. With `inboxEntry`, the node
        /// that writes it to one of `toUser`'s sessions marks that entry delivered.
        case deliver
        /// `user` (`name`) came online (`online` true) or went offline on the cluster.
        case presence
        /// Close `session`, or every session of `user`, telling them `reason`.
        case kick
        /// Every node, answer `ask` ("sessions", of `user` if set; "stats") by adding its
        /// part to `query`'s reply list (ChatStore+Queries).
        case query
    }

    public var node: String
    public var kind: Kind
    public var frame: String?
    public var toUser: Int?
    public var exceptSession: String?
    public var exceptUser: Int?
    public var user: Int?
    public var name: String?
    public var online: Bool?
    public var session: String?
    public var reason: String?
    public var inboxEntry: String?
    public var query: String?
    public var ask: String?

    public init(
        node: String,
        kind: Kind,
        frame: String? = nil,
        toUser: Int? = nil,
        exceptSession: String? = nil,
        exceptUser: Int? = nil,
        user: Int? = nil,
        name: String? = nil,
        online: Bool? = nil,
        session: String? = nil,
        reason: String? = nil,
        inboxEntry: String? = nil,
        query: String? = nil,
        ask: String? = nil
    ) {
        self.node = node
        self.kind = kind
        self.frame = frame
        self.toUser = toUser
        self.exceptSession = exceptSession
        self.exceptUser = exceptUser
        self.user = user
        self.name = name
        self.online = online
        self.session = session
        self.reason = reason
        self.inboxEntry = inboxEntry
        self.query = query
        self.ask = ask
    }
}
