// SPDX-License-Identifier: Apache-2.0
import ChatStore
import RedisClient
import TestTier
import Testing

@Suite(.integration) struct UserStoreTests {
    @Test func registerThenAuthenticate() async throws {
        try await withStore { store, _, _ in
            try await store.register(id: 100, username: "ann", password: "s3cret")
            let record = try await store.authenticate(id: 100, password: "s3cret")
            #expect(record.id == 100)
            #expect(record.username == "ann")
            #expect(!record.disabled)
        }
    }

    @Test func duplicateIdIsRefused() async throws {
        try await withStore { store, _, _ in
            try await store.register(id: 100, username: "ann", password: "a")
            await #expect(throws: StoreError.userExists) {
                try await store.register(id: 100, username: "other", password: "b")
            }
            // The first registration is untouched.
            #expect(try await store.authenticate(id: 100, password: "a").username == "ann")
        }
    }

    @Test func wrongPasswordAndUnknownUser() async throws {
        try await withStore { store, _, _ in
            try await store.register(id: 100, username: "ann", password: "right")
            await #expect(throws: StoreError.wrongPassword) { try await store.authenticate(id: 100, password: "wrong") }
            await #expect(throws: StoreError.noSuchUser) { try await store.authenticate(id: 999, password: "x") }
        }
    }

    @Test func invalidRegistrationsAreRefused() async throws {
        try await withStore { store, _, _ in
            await #expect(throws: StoreError.self) { try await store.register(id: 0, username: "a", password: "b") }
            await #expect(throws: StoreError.self) { try await store.register(id: 1, username: "", password: "b") }
            await #expect(throws: StoreError.self) { try await store.register(id: 1, username: "a", password: "") }
        }
    }

    /// The hash in Redis is scrypt with its parameters beside it, never the password.
    @Test func passwordIsStoredAsScryptWithParameters() async throws {
        try await withStore { store, redis, _ in
            try await store.register(id: 100, username: "ann", password: "hunter2")
            let stored = try await redis.send("HGET", "chat:user:100", "password").string ?? ""
            #expect(stored.hasPrefix("scrypt$1024$8$1$"))
            #expect(!stored.contains("hunter2"))
            let all = try await redis.send("HGETALL", "chat:user:100").array?.compactMap(\.string) ?? []
            #expect(!all.contains("hunter2"))
        }
    }

    /// A seed record (clear text in the hash `user`) logs in, is re-hashed, and its clear text is removed.
    @Test func seedRecordIsMigratedAtFirstLogin() async throws {
        try await withStore { store, redis, _ in
            _ = try await redis.send(
                "HSET",
                "user",
                "100",
                #"{"userid":100,"userpwd":"123456","username":"ann","userstatus":0}"#
            )
            // The id counts as taken before migration.
            await #expect(throws: StoreError.userExists) {
                try await store.register(id: 100, username: "x", password: "y")
            }
            // A wrong password neither logs in nor migrates.
            await #expect(throws: StoreError.wrongPassword) { try await store.authenticate(id: 100, password: "nope") }
            #expect(try await redis.send("HEXISTS", "user", "100").int == 1)

            let record = try await store.authenticate(id: 100, password: "123456")
            #expect(record.username == "ann")
            #expect(try await redis.send("HEXISTS", "user", "100").int == 0)
            let stored = try await redis.send("HGET", "chat:user:100", "password").string ?? ""
            #expect(stored.hasPrefix("scrypt$"))
            // And the next login goes through the hashed record.
            #expect(try await store.authenticate(id: 100, password: "123456").id == 100)
        }
    }

    @Test func bulkSeedImport() async throws {
        try await withStore { store, redis, _ in
            _ = try await redis.send(
                "HSET",
                "user",
                "100",
                #"{"userid":100,"userpwd":"a","username":"ann","userstatus":0}"#,
                "200",
                #"{"userid":200,"userpwd":"b","username":"bob","userstatus":0}"#,
                "300",
                "not json"
            )
            let result = try await store.importSeedUsers()
            #expect(result.imported == 2)
            #expect(result.skipped == 1)
            #expect(try await store.authenticate(id: 200, password: "b").username == "bob")
            #expect(try await redis.send("HEXISTS", "user", "100").int == 0)
        }
    }

    @Test func changedCostIsRehashedAtLogin() async throws {
        try await withStore { store, redis, server in
            try await store.register(id: 100, username: "ann", password: "pw")
            var config = store.configuration
            config.scrypt = ScryptParameters(n: 2048, r: 8, p: 1)
            let stronger = ChatStore(redis: redis, configuration: config)
            _ = try await stronger.authenticate(id: 100, password: "pw")
            let stored = try await redis.send("HGET", "chat:user:100", "password").string ?? ""
            #expect(stored.hasPrefix("scrypt$2048$8$1$"))
            #expect(try await stronger.authenticate(id: 100, password: "pw").id == 100)
        }
    }

    /// Redis gone: every call fails with `.unavailable`, none hangs.
    @Test func deadRedisIsUnavailable() async throws {
        try await withStore { store, _, server in
            try await store.register(id: 100, username: "ann", password: "pw")
            await server.kill9()
            do {
                _ = try await store.authenticate(id: 100, password: "pw")
                Issue.record("authenticated without Redis")
            } catch {
                guard case StoreError.unavailable = error else {
                    Issue.record("expected .unavailable, got \(error)")
                    return
                }
            }
            do {
                _ = try await store.appendGroup(from: 100, username: "ann", content: "x")
                Issue.record("stored without Redis")
            } catch {
                guard case StoreError.unavailable = error else {
                    Issue.record("expected .unavailable, got \(error)")
                    return
                }
            }
        }
    }
}
