// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import ChatStore
import RedisClient
import TestTier
import Testing

@Suite(.integration) struct MessageStoreTests {
    @Test func groupHistoryPagesNewestFirst() async throws {
        try await withStore { store, _, _ in
            var ids: [String] = []
            for i in 1...5 {
                ids.append(try await store.appendGroup(from: 100, username: "ann", content: "m\(i)").id)
            }
            let first = try await store.history(for: 100, with: nil, before: nil, limit: 2)
            #expect(first.messages.map(\.content) == ["m5", "m4"])
            #expect(first.more)
            let second = try await store.history(for: 100, with: nil, before: first.messages.last?.id, limit: 2)
            #expect(second.messages.map(\.content) == ["m3", "m2"])
            #expect(second.more)
            let last = try await store.history(for: 100, with: nil, before: second.messages.last?.id, limit: 2)
            #expect(last.messages.map(\.content) == ["m1"])
            #expect(!last.more)
            #expect(first.messages[0].id == ids[4])
            #expect(first.messages[0].ts > 0)
            #expect(first.messages[0].to == nil)
        }
    }

    @Test func badHistoryCursorIsInvalidInput() async throws {
        try await withStore { store, _, _ in
            await #expect(throws: StoreError.invalidInput("\"before\" is not a message id")) {
                _ = try await store.history(for: 1, with: nil, before: "nonsense", limit: 5)
            }
        }
    }

    @Test func conversationHoldsBothDirections() async throws {
        try await withStore { store, _, _ in
            try await store.register(id: 100, username: "ann", password: "a")
            try await store.register(id: 200, username: "bob", password: "b")
            _ = try await store.appendPrivate(from: 100, username: "ann", to: 200, content: "hi bob")
            _ = try await store.appendPrivate(from: 200, username: "bob", to: 100, content: "hi ann")
            _ = try await store.appendGroup(from: 100, username: "ann", content: "to all")
            let seenByAnn = try await store.history(for: 100, with: 200, before: nil, limit: 10)
            #expect(seenByAnn.messages.map(\.content) == ["hi ann", "hi bob"])
            #expect(seenByAnn.messages.map(\.to) == [100, 200])
            let seenByBob = try await store.history(for: 200, with: 100, before: nil, limit: 10)
            #expect(seenByBob.messages == seenByAnn.messages)
        }
    }

    @Test func privateMessageToUnknownUserIsRefused() async throws {
        try await withStore { store, _, _ in
            await #expect(throws: StoreError.noSuchUser) {
                _ = try await store.appendPrivate(from: 100, username: "ann", to: 424242, content: "hello?")
            }
        }
    }

    /// What arrived after the cursors comes back, oldest first, until it is marked seen
    /// (chatd does that once the OfflineMes was written); group messages from before
    /// registration do not count as missed.
    @Test func missedMessagesAreCollectedOnce() async throws {
        try await withStore { store, _, _ in
            _ = try await store.appendGroup(from: 1, username: "old", content: "before bob existed")
            try await store.register(id: 100, username: "ann", password: "a")
            try await store.register(id: 200, username: "bob", password: "b")
            _ = try await store.appendGroup(from: 100, username: "ann", content: "g1")
            _ = try await store.appendPrivate(from: 100, username: "ann", to: 200, content: "p1")
            _ = try await store.appendGroup(from: 100, username: "ann", content: "g2")

            let missed = try await store.collectMissed(for: 200)
            // Oldest first by time; within one millisecond group and private streams have no common order.
            #expect(missed.messages.map(\.ts) == missed.messages.map(\.ts).sorted())
            #expect(missed.messages.filter { $0.to == nil }.map(\.content) == ["g1", "g2"])
            #expect(missed.messages.filter { $0.to == 200 }.map(\.content) == ["p1"])
            #expect(!missed.moreGroup && !missed.morePrivate)
            // Not yet marked seen (the connection may have dropped before it was written): all still missed.
            #expect(try await store.collectMissed(for: 200).messages.count == 3)
            try await store.markSeen(by: 200, missed.seen)
            #expect(try await store.collectMissed(for: 200).messages.isEmpty)
        }
    }

    @Test func missedMessagesAreBoundedNewestKept() async throws {
        try await withStore(offlineMax: 2) { store, _, _ in
            try await store.register(id: 200, username: "bob", password: "b")
            for i in 1...5 { _ = try await store.appendGroup(from: 100, username: "ann", content: "g\(i)") }
            let missed = try await store.collectMissed(for: 200)
            #expect(missed.messages.map(\.content) == ["g4", "g5"])
            #expect(missed.moreGroup)
        }
    }

    @Test func liveDeliveryMovesTheInboxCursor() async throws {
        try await withStore { store, _, _ in
            try await store.register(id: 200, username: "bob", password: "b")
            let first = try await store.appendPrivate(from: 100, username: "ann", to: 200, content: "live")
            try await store.markDelivered(to: 200, inboxEntry: try #require(first.inboxEntry))
            _ = try await store.appendPrivate(from: 100, username: "ann", to: 200, content: "while away")
            #expect(try await store.collectMissed(for: 200).messages.map(\.content) == ["while away"])
        }
    }

    @Test func roomSeenAtLogoutLeavesNothingMissed() async throws {
        try await withStore { store, _, _ in
            try await store.register(id: 200, username: "bob", password: "b")
            _ = try await store.appendGroup(from: 100, username: "ann", content: "seen live")
            try await store.markRoomSeen(by: 200)
            _ = try await store.appendGroup(from: 100, username: "ann", content: "missed")
            #expect(try await store.collectMissed(for: 200).messages.map(\.content) == ["missed"])
        }
    }
}
