// SPDX-License-Identifier: Apache-2.0
import ChatStore
import RedisClient
import TestTier
import Testing

/// The store side of chatctl: records without hashes, SCAN paging, disable, passwd, delete.
@Suite(.integration) struct AdminStoreTests {
    @Test func summaryHasNoHashAndSeedRecordsShowAsSuch() async throws {
        try await withStore { store, redis, _ in
            try await store.register(id: 1, username: "ann", password: "pw")
            let ann = try #require(try await store.userSummary(id: 1))
            // The first epoch is random: a token of an earlier registration of the id cannot match.
            #expect(
                ann.username == "ann" && !ann.disabled && !ann.isSeedRecord && ann.tokenEpoch > 0 && ann.created > 0
            )
            #expect(!"\(ann)".contains("scrypt"))

            _ = try await redis.send(["HSET", "user", "7", #"{"userid":7,"userpwd":"clear","username":"seed"}"#])
            let seed = try #require(try await store.userSummary(id: 7))
            #expect(seed.isSeedRecord && seed.username == "seed")
            #expect(!"\(seed)".contains("clear"))
            #expect(try await store.userSummary(id: 99) == nil)
        }
    }

    @Test func listUsersFollowsTheCursorToTheEnd() async throws {
        try await withStore { store, redis, _ in
            for id in 1...25 { try await store.register(id: id, username: "u\(id)", password: "pw") }
            _ = try await redis.send(["SET", "chat:user:not-a-number", "x"])  // not ours: skipped
            var seen: [Int] = []
            var cursor = "0"
            repeat {
                let page = try await store.listUsers(cursor: cursor, count: 4)
                seen += page.users.map(\.id)
                cursor = page.cursor
            } while cursor != "0"
            #expect(Set(seen) == Set(1...25))
            await #expect(throws: StoreError.invalidInput("cursor must be a number")) {
                try await store.listUsers(cursor: "abc")
            }
        }
    }

    @Test func disableRefusesLoginAndBumpsTheTokenEpoch() async throws {
        try await withStore { store, _, _ in
            try await store.register(id: 1, username: "ann", password: "pw")
            let first = try #require(try await store.userSummary(id: 1)).tokenEpoch
            try await store.setDisabled(id: 1, true)
            await #expect(throws: StoreError.userDisabled) { try await store.authenticate(id: 1, password: "pw") }
            #expect(try await store.userSummary(id: 1)?.tokenEpoch == first + 1)
            try await store.setDisabled(id: 1, false)
            #expect(try await store.authenticate(id: 1, password: "pw").username == "ann")
            #expect(try await store.userSummary(id: 1)?.tokenEpoch == first + 1)  // enabling revokes nothing
            await #expect(throws: StoreError.noSuchUser) { try await store.setDisabled(id: 2, true) }
        }
    }

    @Test func disablingASeedRecordImportsItFirst() async throws {
        try await withStore { store, redis, _ in
            _ = try await redis.send(["HSET", "user", "7", #"{"userid":7,"userpwd":"clear","username":"seed"}"#])
            try await store.setDisabled(id: 7, true)
            #expect(try await redis.send(["HEXISTS", "user", "7"]).int == 0)  // the clear text is gone
            let seed = try #require(try await store.userSummary(id: 7))
            #expect(seed.disabled && !seed.isSeedRecord)
            await #expect(throws: StoreError.userDisabled) { try await store.authenticate(id: 7, password: "clear") }
        }
    }

    @Test func setPasswordReplacesTheHashAndBumpsTheTokenEpoch() async throws {
        try await withStore { store, _, _ in
            try await store.register(id: 1, username: "ann", password: "old")
            let first = try #require(try await store.userSummary(id: 1)).tokenEpoch
            try await store.setPassword(id: 1, "new")
            await #expect(throws: StoreError.wrongPassword) { try await store.authenticate(id: 1, password: "old") }
            #expect(try await store.authenticate(id: 1, password: "new").id == 1)
            #expect(try await store.userSummary(id: 1)?.tokenEpoch == first + 1)
            await #expect(throws: StoreError.self) { try await store.setPassword(id: 1, "") }
            await #expect(throws: StoreError.noSuchUser) { try await store.setPassword(id: 2, "x") }
        }
    }

    @Test func deleteRemovesRecordInboxAndSeedCopy() async throws {
        try await withStore { store, redis, _ in
            try await store.register(id: 1, username: "ann", password: "pw")
            try await store.register(id: 2, username: "bob", password: "pw")
            _ = try await store.appendPrivate(from: 2, username: "bob", to: 1, content: "hi")
            _ = try await redis.send(["HSET", "user", "1", #"{"userid":1,"userpwd":"clear","username":"ann"}"#])
            let deleted = try await store.deleteUser(id: 1)
            #expect(deleted.record && deleted.inbox && deleted.seedRecord)
            #expect(try await store.userSummary(id: 1) == nil)
            await #expect(throws: StoreError.noSuchUser) { try await store.authenticate(id: 1, password: "clear") }
            await #expect(throws: StoreError.noSuchUser) { try await store.deleteUser(id: 1) }
            #expect(try await store.userSummary(id: 2) != nil)
        }
    }
}
