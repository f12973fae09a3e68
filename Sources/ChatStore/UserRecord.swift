// SPDX-License-Identifier: Apache-2.0
/// A user as the store keeps them. The password hash never leaves the module.
public struct UserRecord: Sendable, Equatable {
    public var id: Int
    public var username: String
    public var created: Int64
    public var disabled: Bool
    public var lastLogin: Int64?
    /// True for a record still in the seed's clear-text hash, not yet migrated.
    public var isSeedRecord: Bool
    /// Resume tokens carry this; bumping it revokes them.
    public var tokenEpoch: Int
    /// The token family this login continues (a token login), or 0: a new one starts.
    public var tokenFamily: UInt64 = 0
    var passwordHash: String

    init(id: Int, fields: [String: String]) throws(StoreError) {
        guard let name = fields[UserField.username], let hash = fields[UserField.password] else {
            throw .corruptRecord("user \(id) lacks username or password")
        }
        self.id = id
        self.username = name
        self.passwordHash = hash
        self.created = Int64(fields[UserField.created] ?? "") ?? 0
        self.disabled = fields[UserField.disabled] == "1"
        self.lastLogin = fields[UserField.lastLogin].flatMap { Int64($0) }
        self.isSeedRecord = false
        self.tokenEpoch = Int(fields[UserField.tokenEpoch] ?? "") ?? 0
    }

    init(seedID id: Int, username: String) {
        self.id = id
        self.username = username
        self.passwordHash = ""
        self.created = 0
        self.disabled = false
        self.lastLogin = nil
        self.isSeedRecord = true
        self.tokenEpoch = 0
    }
}
