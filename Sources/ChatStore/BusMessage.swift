// SPDX-License-Identifier: Apache-2.0
/// What nodes tell each other over the Redis bus (one pub/sub channel): frames to
/// deliver to their local sessions, presence changes, kicks. JSON on the wire.
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

    public init(node: String, kind: Kind, frame: String? = nil, toUser: Int? = nil, exceptSession: String? = nil,
                exceptUser: Int? = nil, user: Int? = nil, name: String? = nil, online: Bool? = nil,
                session: String? = nil, reason: String? = nil, inboxEntry: String? = nil) {
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
    }
}
