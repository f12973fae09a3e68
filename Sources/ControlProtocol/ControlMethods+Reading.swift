// SPDX-License-Identifier: Apache-2.0

/// The methods that only read (not audited), as docs/CONTROL.md lists them.
extension Control {
    public enum Status: ControlMethod {
        public static let name = "status"
        public static let changes = false
        public typealias Params = NoParams

        /// `commit` is `null` (not absent) when chatd was not built from a git checkout.
        public struct Result: Codable, Sendable, Equatable {
            public var sessions: Int
            public var usersOnline: Int
            public var connections: Int
            public var redis: String
            public var uptimeSeconds: Int
            public var pid: Int
            public var version: String
            public var commit: String?

            public init(
                sessions: Int,
                usersOnline: Int,
                connections: Int,
                redis: String,
                uptimeSeconds: Int,
                pid: Int,
                version: String,
                commit: String?
            ) {
                self.sessions = sessions
                self.usersOnline = usersOnline
                self.connections = connections
                self.redis = redis
                self.uptimeSeconds = uptimeSeconds
                self.pid = pid
                self.version = version
                self.commit = commit
            }

            enum CodingKeys: String, CodingKey {
                case sessions
                case usersOnline = "users_online"
                case connections
                case redis
                case uptimeSeconds = "uptime_seconds"
                case pid
                case version
                case commit
            }

            public func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(self.sessions, forKey: .sessions)
                try c.encode(self.usersOnline, forKey: .usersOnline)
                try c.encode(self.connections, forKey: .connections)
                try c.encode(self.redis, forKey: .redis)
                try c.encode(self.uptimeSeconds, forKey: .uptimeSeconds)
                try c.encode(self.pid, forKey: .pid)
                try c.encode(self.version, forKey: .version)
                try c.encode(self.commit, forKey: .commit)
            }
        }
    }

    public enum Stats: ControlMethod {
        public static let name = "stats"
        public static let changes = false
        public typealias Result = ControlStats

        public struct Params: Codable, Sendable, Equatable {
            public var allNodes: Bool?
            public init(allNodes: Bool? = nil) { self.allNodes = allNodes }
            enum CodingKeys: String, CodingKey {
                case allNodes = "all_nodes"
            }
        }
    }

    public enum SessionsList: ControlMethod {
        public static let name = "sessions.list"
        public static let changes = false

        public struct Params: Codable, Sendable, Equatable {
            public var userID: Int?
            public var allNodes: Bool?
            public init(userID: Int? = nil, allNodes: Bool? = nil) {
                self.userID = userID
                self.allNodes = allNodes
            }
            enum CodingKeys: String, CodingKey {
                case userID = "user_id"
                case allNodes = "all_nodes"
            }
        }

        /// The `nodes_…` lists only with `all_nodes`.
        public struct Result: Codable, Sendable, Equatable {
            public var sessions: [ControlSession]
            public var nodesAnswered: [String]?
            public var nodesMissing: [String]?
            public var nodesTruncated: [String]?

            public init(
                sessions: [ControlSession],
                nodesAnswered: [String]? = nil,
                nodesMissing: [String]? = nil,
                nodesTruncated: [String]? = nil
            ) {
                self.sessions = sessions
                self.nodesAnswered = nodesAnswered
                self.nodesMissing = nodesMissing
                self.nodesTruncated = nodesTruncated
            }

            enum CodingKeys: String, CodingKey {
                case sessions
                case nodesAnswered = "nodes_answered"
                case nodesMissing = "nodes_missing"
                case nodesTruncated = "nodes_truncated"
            }
        }
    }

    public enum UsersOnline: ControlMethod {
        public static let name = "users.online"
        public static let changes = false
        public typealias Params = NoParams

        public struct Result: Codable, Sendable, Equatable {
            public var users: [ControlOnlineUser]
            public init(users: [ControlOnlineUser]) { self.users = users }
        }
    }

    public enum NodesList: ControlMethod {
        public static let name = "nodes.list"
        public static let changes = false
        public typealias Params = NoParams

        public struct Result: Codable, Sendable, Equatable {
            public var nodes: [ControlNode]
            public init(nodes: [ControlNode]) { self.nodes = nodes }
        }
    }

    public enum UserGet: ControlMethod {
        public static let name = "user.get"
        public static let changes = false
        public typealias Params = UserParams

        public struct Result: Codable, Sendable, Equatable {
            public var user: ControlUserDetail
            public init(user: ControlUserDetail) { self.user = user }
        }
    }

    public enum UserList: ControlMethod {
        public static let name = "user.list"
        public static let changes = false

        public struct Params: Codable, Sendable, Equatable {
            public var cursor: String?
            public var count: Int?
            public init(cursor: String? = nil, count: Int? = nil) {
                self.cursor = cursor
                self.count = count
            }
        }

        /// One SCAN step: call again with `cursor` until it is "0".
        public struct Result: Codable, Sendable, Equatable {
            public var users: [ControlUser]
            public var cursor: String
            public init(users: [ControlUser], cursor: String) {
                self.users = users
                self.cursor = cursor
            }
        }
    }

    /// `{"user_id":42}`: the params of the methods about one user and nothing else.
    public struct UserParams: Codable, Sendable, Equatable {
        public var userID: Int
        public init(userID: Int) { self.userID = userID }
        enum CodingKeys: String, CodingKey {
            case userID = "user_id"
        }
    }
}
