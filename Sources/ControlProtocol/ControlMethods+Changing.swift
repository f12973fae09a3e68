// SPDX-License-Identifier: Apache-2.0

/// The methods that change something (audited), as docs/CONTROL.md lists them.
extension Control {
    public enum SessionKick: ControlMethod {
        public static let name = "session.kick"
        public static let changes = true

        /// `session_ids`, or one `session_id`, or both.
        public struct Params: Codable, Sendable, Equatable {
            public var sessionIDs: [String]?
            public var sessionID: String?
            public var reason: String?
            public init(sessionIDs: [String]? = nil, sessionID: String? = nil, reason: String? = nil) {
                self.sessionIDs = sessionIDs
                self.sessionID = sessionID
                self.reason = reason
            }
            enum CodingKeys: String, CodingKey {
                case sessionIDs = "session_ids"
                case sessionID = "session_id"
                case reason
            }
        }

        public struct Result: Codable, Sendable, Equatable {
            public var kicked: [String]
            public var notFound: [String]
            public init(kicked: [String], notFound: [String]) {
                self.kicked = kicked
                self.notFound = notFound
            }
            enum CodingKeys: String, CodingKey {
                case kicked
                case notFound = "not_found"
            }
        }
    }

    /// `{"user_id":42,"reason":"spam"}`, `reason` optional.
    public struct UserReasonParams: Codable, Sendable, Equatable {
        public var userID: Int
        public var reason: String?
        public init(userID: Int, reason: String? = nil) {
            self.userID = userID
            self.reason = reason
        }
        enum CodingKeys: String, CodingKey {
            case userID = "user_id"
            case reason
        }
    }

    /// `{"user_id":42,"kicked":[…]}`: a user and the sessions ended here.
    public struct UserKicked: Codable, Sendable, Equatable {
        public var userID: Int
        public var kicked: [String]
        public init(userID: Int, kicked: [String]) {
            self.userID = userID
            self.kicked = kicked
        }
        enum CodingKeys: String, CodingKey {
            case userID = "user_id"
            case kicked
        }
    }

    public enum UserKick: ControlMethod {
        public static let name = "user.kick"
        public static let changes = true
        public typealias Params = UserReasonParams
        public typealias Result = UserKicked
    }

    public enum UserDisable: ControlMethod {
        public static let name = "user.disable"
        public static let changes = true
        public typealias Params = UserReasonParams

        public struct Result: Codable, Sendable, Equatable {
            public var userID: Int
            public var disabled: Bool
            public var kicked: [String]
            public init(userID: Int, disabled: Bool = true, kicked: [String]) {
                self.userID = userID
                self.disabled = disabled
                self.kicked = kicked
            }
            enum CodingKeys: String, CodingKey {
                case userID = "user_id"
                case disabled
                case kicked
            }
        }
    }

    public enum UserEnable: ControlMethod {
        public static let name = "user.enable"
        public static let changes = true
        public typealias Params = UserParams

        public struct Result: Codable, Sendable, Equatable {
            public var userID: Int
            public var disabled: Bool
            public init(userID: Int, disabled: Bool = false) {
                self.userID = userID
                self.disabled = disabled
            }
            enum CodingKeys: String, CodingKey {
                case userID = "user_id"
                case disabled
            }
        }
    }

    public enum UserAdd: ControlMethod {
        public static let name = "user.add"
        public static let changes = true

        public struct Params: Codable, Sendable, Equatable {
            public var userID: Int
            public var username: String
            public var password: String
            public init(userID: Int, username: String, password: String) {
                self.userID = userID
                self.username = username
                self.password = password
            }
            enum CodingKeys: String, CodingKey {
                case userID = "user_id"
                case username
                case password
            }
        }

        public struct Result: Codable, Sendable, Equatable {
            public var userID: Int
            public var username: String
            public init(userID: Int, username: String) {
                self.userID = userID
                self.username = username
            }
            enum CodingKeys: String, CodingKey {
                case userID = "user_id"
                case username
            }
        }
    }

    public enum UserPasswd: ControlMethod {
        public static let name = "user.passwd"
        public static let changes = true
        public typealias Result = UserKicked

        public struct Params: Codable, Sendable, Equatable {
            public var userID: Int
            public var password: String
            public init(userID: Int, password: String) {
                self.userID = userID
                self.password = password
            }
            enum CodingKeys: String, CodingKey {
                case userID = "user_id"
                case password
            }
        }
    }

    public enum UserDelete: ControlMethod {
        public static let name = "user.delete"
        public static let changes = true
        public typealias Params = UserParams

        public struct Result: Codable, Sendable, Equatable {
            public var userID: Int
            public var kicked: [String]
            public var inboxDeleted: Bool
            public var conversationsDeleted: Int
            public init(userID: Int, kicked: [String], inboxDeleted: Bool, conversationsDeleted: Int) {
                self.userID = userID
                self.kicked = kicked
                self.inboxDeleted = inboxDeleted
                self.conversationsDeleted = conversationsDeleted
            }
            enum CodingKeys: String, CodingKey {
                case userID = "user_id"
                case kicked
                case inboxDeleted = "inbox_deleted"
                case conversationsDeleted = "conversations_deleted"
            }
        }
    }

    public enum UserImport: ControlMethod {
        public static let name = "user.import"
        public static let changes = true
        public typealias Params = NoParams

        public struct Result: Codable, Sendable, Equatable {
            public var imported: Int
            public var skipped: Int
            public init(imported: Int, skipped: Int) {
                self.imported = imported
                self.skipped = skipped
            }
        }
    }

    public enum Broadcast: ControlMethod {
        public static let name = "broadcast"
        public static let changes = true

        public struct Params: Codable, Sendable, Equatable {
            public var text: String
            public init(text: String) { self.text = text }
        }

        /// Sessions online when it was sent.
        public struct Result: Codable, Sendable, Equatable {
            public var recipients: Int
            public init(recipients: Int) { self.recipients = recipients }
        }
    }

    public enum ConfigReload: ControlMethod {
        public static let name = "config.reload"
        public static let changes = true
        public typealias Params = NoParams

        public struct Result: Codable, Sendable, Equatable {
            public var reloaded: Bool
            public var needsRestart: [String]
            public init(reloaded: Bool = true, needsRestart: [String]) {
                self.reloaded = reloaded
                self.needsRestart = needsRestart
            }
            enum CodingKeys: String, CodingKey {
                case reloaded
                case needsRestart = "needs_restart"
            }
        }
    }
}
