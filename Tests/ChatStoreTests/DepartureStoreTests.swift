// SPDX-License-Identifier: Apache-2.0
import ChatStore
import TestTier
import Testing

/// What the store records when many sessions end together (their calls share scripts).
@Suite(.timeLimit(.minutes(1)), .integration)
struct DepartureStoreTests {
    @Test func usersLeavingTogetherHaveAllSeenTheRoom() async throws {
        try await withStore { store, _, _ in
            let users = Array(300..<340)
            for id in users { try await store.register(id: id, username: "u\(id)", password: "p") }
            _ = try await store.appendGroup(from: 300, username: "u300", content: "seen live")
            // 999 was deleted while its session was open: it gets no record back.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for id in users + [999] { group.addTask { try await store.markRoomSeen(by: id) } }
                try await group.waitForAll()
            }
            _ = try await store.appendGroup(from: 300, username: "u300", content: "missed")
            for id in users {
                #expect(try await store.collectMissed(for: id).messages.map(\.content) == ["missed"], "user \(id)")
            }
            #expect(try await store.user(id: 999) == nil)
        }
    }

    @Test func usersLeavingANodeTogetherAreGoneUnlessOnlineElsewhere() async throws {
        try await withStore { store, _, _ in
            let ttl = Duration.seconds(30)
            for id in 1...20 { _ = try await store.presenceUp(node: "a", user: id, name: "u\(id)", ttl: ttl) }
            for id in 1...5 { _ = try await store.presenceUp(node: "b", user: id, name: "u\(id)", ttl: ttl) }
            let gone = try await withThrowingTaskGroup(of: (Int, Bool).self) { group in
                for id in 1...20 { group.addTask { (id, try await store.presenceDown(node: "a", user: id, ttl: ttl)) } }
                var gone: [Int: Bool] = [:]
                for try await (id, isGone) in group { gone[id] = isGone }
                return gone
            }
            #expect(gone == Dictionary(uniqueKeysWithValues: (1...20).map { ($0, $0 > 5) }), "1–5 are still on node b")
            #expect(Set(try await store.onlineEverywhere(ttl: ttl).keys) == Set(1...5))
        }
    }
}
