// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import Foundation
import RedisClient

extension ChatStore {
    /// Registers a new user. Throws `.userExists` when the id is taken here or in the
    /// seed's hash, `.idRetired` when it belonged to a deleted user. The id is checked
    /// before the password is hashed, so asking for a taken id costs no scrypt.
    public func register(id: Int, username: String, password: String) async throws(StoreError) {
        guard id > 0 else { throw .invalidInput("user id must be a positive number") }
        if let problem = UserName.problem(username) { throw .invalidInput(problem) }
        guard !password.isEmpty, password.utf8.count <= 1024 else {
            throw .invalidInput("password must be 1 to 1024 bytes")
        }
        let registerKeys = [keys.user(id), keys.seedUsers, keys.room, keys.tombstone(id)]
        try Self.registration(try await self.eval(Scripts.idTaken, keys: registerKeys, args: [String(id)]))
        let hash = try await self.hashed(password)
        try Self.registration(
            try await self.eval(
                Scripts.register,
                keys: registerKeys,
                args: [String(id), username, hash, String(WallClock.millis()), Self.firstTokenEpoch()]
            )
        )
    }

    /// The scripts' answer: 1 free (or done), 0 taken, -1 retired.
    private static func registration(_ reply: RESPValue) throws(StoreError) {
        switch reply.int {
        case 1: return
        case -1: throw .idRetired
        default: throw .userExists
        }
    }

    /// A registration's first token epoch, random: a token can only match the
    /// registration that issued it, even if an id were ever given out again by hand.
    static func firstTokenEpoch() -> String {
        String(Int.random(in: 1...(1 << 40)))
    }

    /// scrypt, with its failures as store errors (busy: the hasher's queue is full).
    func hashed(_ password: String) async throws(StoreError) -> String {
        do { return try await self.hasher.hash(password) } catch is HasherBusy { throw .busy } catch {
            throw .unavailable("password hashing failed")
        }
    }

    /// The stored user, or nil. A seed record not yet migrated is returned with `isSeedRecord`.
    public func user(id: Int) async throws(StoreError) -> UserRecord? {
        let fields = try await self.command(["HGETALL", keys.user(id)]).fieldMap
        if !fields.isEmpty { return try UserRecord(id: id, fields: fields) }
        guard let seed = try await self.seedUser(id: id) else { return nil }
        return UserRecord(seedID: id, username: seed.username)
    }

    /// Checks a password; a seed record is migrated (re-hashed, clear text removed)
    /// at its first successful login. Records the login time.
    public func authenticate(id: Int, password: String) async throws(StoreError) -> UserRecord {
        let fields = try await self.command(["HGETALL", keys.user(id)]).fieldMap
        if fields.isEmpty {
            return try await self.authenticateSeedUser(id: id, password: password)
        }
        let record = try UserRecord(id: id, fields: fields)
        let matches: Bool
        do { matches = try await self.hasher.verify(password, against: record.passwordHash) } catch is HasherBusy {
            throw .busy
        } catch {
            throw .unavailable("password hashing failed")
        }
        guard matches else { throw .wrongPassword }
        guard !record.disabled else { throw .userDisabled }
        var args = ["HSET", keys.user(id), UserField.lastLogin, String(WallClock.millis())]
        if self.hasher.needsRehash(record.passwordHash), let rehashed = try? await self.hasher.hash(password) {
            args += [UserField.password, rehashed]
        }
        _ = try await self.command(args)
        return record
    }

    private func authenticateSeedUser(id: Int, password: String) async throws(StoreError) -> UserRecord {
        guard let seed = try await self.seedUser(id: id) else { throw .noSuchUser }
        guard ConstantTime.equal(Array(seed.userpwd.utf8), Array(password.utf8)) else { throw .wrongPassword }
        try await self.migrateSeedUser(seed)
        guard let record = try await self.user(id: id), !record.isSeedRecord else { throw .noSuchUser }
        _ = try await self.command(["HSET", keys.user(id), UserField.lastLogin, String(WallClock.millis())])
        return record
    }

    func migrateSeedUser(_ seed: User) async throws(StoreError) {
        let hash = try await self.hashed(seed.userpwd)
        let name = seed.username.isEmpty ? String(seed.userid) : seed.username
        _ = try await self.eval(
            Scripts.migrateSeedUser,
            keys: [keys.user(seed.userid), keys.seedUsers, keys.room, keys.tombstone(seed.userid)],
            args: [String(seed.userid), name, hash, String(WallClock.millis()), Self.firstTokenEpoch()]
        )
    }

    func seedUser(id: Int) async throws(StoreError) -> User? {
        let value = try await self.command(["HGET", keys.seedUsers, String(id)])
        guard let json = value.string else { return nil }
        guard var user = try? JSONDecoder().decode(User.self, from: Data(json.utf8)) else {
            throw .corruptRecord("seed record \(id) is not a User JSON")
        }
        user.userid = id
        return user
    }

    /// Moves every record of the seed's hash into our schema. Returns how many were imported;
    /// ids that already exist here are skipped (and their clear-text copy removed).
    public func importSeedUsers() async throws(StoreError) -> (imported: Int, skipped: Int) {
        var cursor = "0"
        var imported = 0
        var skipped = 0
        repeat {
            let reply = try await self.command(["HSCAN", keys.seedUsers, cursor, "COUNT", "100"])
            guard let parts = reply.array, parts.count == 2, let next = parts[0].string else {
                throw .corruptRecord("unexpected HSCAN reply")
            }
            cursor = next
            for (field, json) in parts[1].fieldMap {
                guard let id = Int(field), var user = try? JSONDecoder().decode(User.self, from: Data(json.utf8)) else {
                    skipped += 1
                    continue
                }
                user.userid = id
                if try await self.command(["EXISTS", keys.user(id)]).int == 1 {
                    _ = try await self.command(["HDEL", keys.seedUsers, field])
                    skipped += 1
                } else {
                    try await self.migrateSeedUser(user)
                    imported += 1
                }
            }
        } while cursor != "0"
        return (imported, skipped)
    }
}
