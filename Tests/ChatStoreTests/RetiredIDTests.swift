// SPDX-License-Identifier: Apache-2.0
import ChatStore
import Dispatch
import NIOPosix
import RedisClient
import TestTier
import Testing

/// A deleted user's id is never given out again: nobody inherits their conversations
/// or their tokens.
@Suite(.integration) struct RetiredIDTests {
    @Test func aDeletedIDCannotBeRegisteredAndItsConversationsAreGone() async throws {
        try await withStore { store, redis, _ in
            for (id, name) in [(1, "ann"), (2, "bob"), (3, "cat"), (12, "dan")] {
                try await store.register(id: id, username: name, password: "pw")
            }
            _ = try await store.appendPrivate(from: 1, username: "ann", to: 2, content: "to bob")
            _ = try await store.appendPrivate(from: 3, username: "cat", to: 1, content: "to ann")
            _ = try await store.appendPrivate(from: 2, username: "bob", to: 12, content: "not ann's")
            let token = try await store.issueToken(
                for: try await store.authenticate(id: 1, password: "pw"),
                lifetime: .seconds(60)
            )

            let deleted = try await store.deleteUser(id: 1)
            #expect(deleted.record && deleted.conversations == 2)
            #expect(try await redis.send(["EXISTS", "chat:dm:1:2", "chat:dm:1:3"]).int == 0)
            #expect(try await redis.send(["EXISTS", "chat:dm:2:12"]).int == 1)  // 12 ends in 2, 1 is not part of it
            #expect(try await store.isRetired(id: 1))

            await #expect(throws: StoreError.idRetired) {
                try await store.register(id: 1, username: "mallory", password: "x")
            }
            #expect(try await redis.send(["EXISTS", "chat:user:1"]).int == 0)
            await #expect(throws: StoreError.noSuchUser) { try await store.authenticate(id: 1, token: token) }
            // A seed record written later does not bring the id back either.
            _ = try await redis.send(["HSET", "user", "1", #"{"userid":1,"userpwd":"clear","username":"again"}"#])
            await #expect(throws: StoreError.noSuchUser) { try await store.authenticate(id: 1, password: "clear") }
            #expect(try await redis.send(["EXISTS", "chat:user:1"]).int == 0)
        }
    }

    /// A taken or retired id is answered before any password work: with a hasher that
    /// admits nothing, those registrations still get their real answer, and a free id
    /// gets "busy" at once instead of waiting in a queue.
    @Test func takenIDsCostNoHashAndAFullHasherSaysBusy() async throws {
        let full = PasswordHasher(parameters: ScryptParameters(n: 1024, r: 8, p: 1), maxPending: 0)
        try await withStore(hasher: full) { store, redis, _ in
            _ = try await redis.send([
                "HSET", "chat:user:5", "username", "eve", "password",
                "scrypt$1024$8$1$AAAA$" + String(repeating: "A", count: 43) + "=",
            ])
            _ = try await redis.send(["SET", "chat:deleted:6", "1"])
            _ = try await redis.send(["HSET", "user", "7", #"{"userid":7,"userpwd":"clear","username":"seed"}"#])
            await #expect(throws: StoreError.userExists) {
                try await store.register(id: 5, username: "x", password: "pw")
            }
            await #expect(throws: StoreError.idRetired) {
                try await store.register(id: 6, username: "x", password: "pw")
            }
            await #expect(throws: StoreError.userExists) {
                try await store.register(id: 7, username: "x", password: "pw")
            }
            await #expect(throws: StoreError.busy) { try await store.register(id: 8, username: "x", password: "pw") }
            await #expect(throws: StoreError.busy) { try await store.authenticate(id: 5, password: "pw") }
            #expect(try await redis.send(["EXISTS", "chat:user:8"]).int == 0)
        }
    }

    /// The hasher admits `maxPending` at once; one more is refused while they wait.
    @Test func theHasherAdmitsAtMostMaxPending() async throws {
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        let hasher = PasswordHasher(parameters: ScryptParameters(n: 1024, r: 8, p: 1), threadPool: pool, maxPending: 1)
        // Hold the pool's only thread, so the admitted hash waits in its queue.
        let gate = DispatchSemaphore(value: 0)
        let blocker = Task { try await pool.runIfActive { gate.wait() } }
        let first = Task { try await hasher.hash("pw") }
        while hasher.pendingCount < 1 { await Task.yield() }
        await #expect(throws: HasherBusy.self) { try await hasher.hash("other") }
        gate.signal()
        _ = try await blocker.value
        #expect(try await first.value.hasPrefix("scrypt$1024$8$1$"))
        #expect(hasher.pendingCount == 0)
        try await pool.shutdownGracefully()
    }
}
