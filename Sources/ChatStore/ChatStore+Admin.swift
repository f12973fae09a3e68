// SPDX-License-Identifier: Apache-2.0
import Foundation
import RedisClient

/// One user as an administrator sees them: the record without its password hash.
public struct UserSummary: Sendable, Equatable {
    public var id: Int
    public var username: String
    public var created: Int64
    public var disabled: Bool
    public var lastLogin: Int64?
    /// Bumped whenever the user's resume tokens must stop working (disable, new password).
    public var tokenEpoch: Int
    /// Still only in the seed's clear-text hash: not yet imported or logged in.
    public var isSeedRecord: Bool
}

/// One page of `listUsers`; `cursor` "0" means the scan is complete.
public struct UserPage: Sendable, Equatable {
    public var users: [UserSummary]
    public var cursor: String
}

/// What `deleteUser` removed.
public struct DeletedUser: Sendable, Equatable {
    public var record: Bool
    public var inbox: Bool
    public var seedRecord: Bool
    /// Private conversations the user was part of, deleted with them.
    public var conversations: Int
}

extension ChatStore {
    /// The user without the password hash, or nil.
    public func userSummary(id: Int) async throws(StoreError) -> UserSummary? {
        let fields = try await self.command(["HGETALL", keys.user(id)]).fieldMap
        if !fields.isEmpty { return try Self.summary(id: id, fields: fields) }
        guard let seed = try await self.seedUser(id: id) else { return nil }
        return UserSummary(
            id: id,
            username: seed.username,
            created: 0,
            disabled: false,
            lastLogin: nil,
            tokenEpoch: 0,
            isSeedRecord: true
        )
    }

    /// One SCAN step over the user keys. SCAN may return a key twice across pages and
    /// pages of any size (even empty with a non-zero cursor): callers loop until "0".
    public func listUsers(cursor: String = "0", count: Int = 100) async throws(StoreError) -> UserPage {
        guard !cursor.isEmpty, cursor.allSatisfy(\.isNumber) else { throw .invalidInput("cursor must be a number") }
        let reply = try await self.command([
            "SCAN", cursor, "MATCH", keys.userPattern, "COUNT", String(max(1, min(count, 10_000))),
        ])
        guard let parts = reply.array, parts.count == 2, let next = parts[0].string, let found = parts[1].array else {
            throw .corruptRecord("unexpected SCAN reply")
        }
        let ids = found.compactMap(\.string).compactMap(keys.userID(fromKey:))
        // One round trip for the whole page.
        let replies: [Result<RESPValue, RedisError>]
        do { replies = try await self.redis.pipeline(ids.map { ["HGETALL", keys.user($0)] }) } catch {
            throw StoreError.from(error)
        }
        var users: [UserSummary] = []
        for (id, reply) in zip(ids, replies) {
            let fields = try Self.value(reply).fieldMap
            // Deleted between SCAN and HGETALL, or not a user hash of ours: skip.
            guard let summary = try? Self.summary(id: id, fields: fields) else { continue }
            users.append(summary)
        }
        return UserPage(users: users.sorted { $0.id < $1.id }, cursor: next)
    }

    /// Sets or clears `disabled`; disabling also bumps `token_epoch` (the revocation
    /// hook for resume tokens). A seed record is imported first so it can carry the flag.
    public func setDisabled(id: Int, _ disabled: Bool) async throws(StoreError) {
        try await self.importIfSeedRecord(id: id)
        let result = try await self.eval(Scripts.setDisabled, keys: [keys.user(id)], args: [disabled ? "1" : "0"])
        guard result.int == 1 else { throw .noSuchUser }
    }

    /// Replaces the password hash and bumps `token_epoch`. The password is hashed
    /// here; neither it nor the hash appears in any error.
    public func setPassword(id: Int, _ password: String) async throws(StoreError) {
        guard !password.isEmpty, password.utf8.count <= 1024 else {
            throw .invalidInput("password must be 1 to 1024 bytes")
        }
        try await self.importIfSeedRecord(id: id)
        let hash = try await self.hashed(password)
        let result = try await self.eval(Scripts.setPassword, keys: [keys.user(id)], args: [hash])
        guard result.int == 1 else { throw .noSuchUser }
    }

    /// Removes the user hash, their offline inbox, any seed record (which would
    /// otherwise bring the user back) and their private conversations, and leaves a
    /// tombstone: the id is never registered again, so nobody inherits what was the
    /// deleted user's. Group history stays: it belongs to the room.
    public func deleteUser(id: Int) async throws(StoreError) -> DeletedUser {
        let result = try await self.eval(
            Scripts.deleteUser,
            keys: [keys.user(id), keys.inbox(id), keys.seedUsers, keys.tombstone(id)],
            args: [String(id), String(WallClock.millis())]
        )
        guard let flags = result.array?.compactMap(\.int), flags.count == 3 else {
            throw .corruptRecord("unexpected reply from the delete script")
        }
        guard flags[0] == 1 || flags[2] == 1 else { throw .noSuchUser }
        let conversations = try await self.deleteConversations(of: id)
        return DeletedUser(
            record: flags[0] == 1,
            inbox: flags[1] == 1,
            seedRecord: flags[2] == 1,
            conversations: conversations
        )
    }

    /// Every `dm:` stream with `id` in its name, found with SCAN (an admin's rare act;
    /// SCAN never blocks Redis for long).
    private func deleteConversations(of id: Int) async throws(StoreError) -> Int {
        var deleted = 0
        for pattern in keys.conversationPatterns(id) {
            var cursor = "0"
            repeat {
                let reply = try await self.command(["SCAN", cursor, "MATCH", pattern, "COUNT", "1000"])
                guard let parts = reply.array, parts.count == 2, let next = parts[0].string, let found = parts[1].array
                else {
                    throw .corruptRecord("unexpected SCAN reply")
                }
                cursor = next
                let names = found.compactMap(\.string)
                if !names.isEmpty { deleted += try await self.command(["DEL"] + names).int ?? 0 }
            } while cursor != "0"
        }
        return deleted
    }

    /// True when `id` belonged to a user who was deleted.
    public func isRetired(id: Int) async throws(StoreError) -> Bool {
        try await self.command(["EXISTS", keys.tombstone(id)]).int == 1
    }

    private func importIfSeedRecord(id: Int) async throws(StoreError) {
        guard try await self.command(["EXISTS", keys.user(id)]).int != 1 else { return }
        guard let seed = try await self.seedUser(id: id) else { throw .noSuchUser }
        try await self.migrateSeedUser(seed)
    }

    private static func summary(id: Int, fields: [String: String]) throws(StoreError) -> UserSummary {
        let record = try UserRecord(id: id, fields: fields)
        return UserSummary(
            id: id,
            username: record.username,
            created: record.created,
            disabled: record.disabled,
            lastLogin: record.lastLogin,
            tokenEpoch: record.tokenEpoch,
            isSeedRecord: false
        )
    }
}

extension Scripts {
    /// KEYS[1] user hash; ARGV[1] "1" or "0". 0 when the user does not exist.
    static let setDisabled = """
        if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
        redis.call('HSET', KEYS[1], 'disabled', ARGV[1])
        if ARGV[1] == '1' then redis.call('HINCRBY', KEYS[1], 'token_epoch', 1) end
        return 1
        """

    /// KEYS[1] user hash; ARGV[1] new password hash. 0 when the user does not exist.
    static let setPassword = """
        if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
        redis.call('HSET', KEYS[1], 'password', ARGV[1])
        redis.call('HINCRBY', KEYS[1], 'token_epoch', 1)
        return 1
        """

    /// KEYS[1] user hash, KEYS[2] inbox, KEYS[3] seed hash, KEYS[4] tombstone; ARGV[1] id,
    /// ARGV[2] now ms. Returns what existed; leaves the tombstone when anything did.
    static let deleteUser = """
        local existed = {redis.call('DEL', KEYS[1]), redis.call('DEL', KEYS[2]), redis.call('HDEL', KEYS[3], ARGV[1])}
        if existed[1] == 1 or existed[3] == 1 then redis.call('SET', KEYS[4], ARGV[2]) end
        return existed
        """
}
