// SPDX-License-Identifier: Apache-2.0
import NIOCore
import NIOEmbedded
import Testing

@testable import ChatServer

/// Who is online on this node: by session, by user (first in, last out) and by loop.
@Suite struct SessionRegistryTests {
    func session(_ user: Int, _ name: String, on channel: EmbeddedChannel) -> SessionInfo {
        SessionInfo(
            id: SessionID.random(),
            user: UserIdentity(id: user, username: name),
            peer: "127.0.0.1:1",
            connectedAt: 0,
            stats: SessionStats(now: 0),
            channel: channel
        )
    }

    @Test func aUsersFirstSessionBringsThemOnlineAndTheLastTakesThemOff() {
        let registry = SessionRegistry()
        let channel = EmbeddedChannel()
        let phone = self.session(7, "ann", on: channel)
        let laptop = self.session(7, "ann", on: channel)
        #expect(registry.add(phone))
        #expect(!registry.add(laptop))
        #expect(registry.counts == (sessions: 2, users: 1))
        #expect(Set(registry.sessions(of: 7).map(\.id)) == [phone.id, laptop.id])

        #expect(registry.remove(phone.id)?.wasLast == false)
        #expect(registry.remove(laptop.id)?.wasLast == true)
        #expect(registry.counts == (sessions: 0, users: 0))
        #expect(registry.sessions(of: 7).isEmpty)
        // A second end of the same session is nothing.
        #expect(registry.remove(laptop.id) == nil)
    }

    @Test func onlineUsersAreSortedByIDWithTheirNames() {
        let registry = SessionRegistry()
        let channel = EmbeddedChannel()
        for (id, name) in [(30, "cy"), (10, "ann"), (20, "bob"), (10, "ann")] {
            _ = registry.add(self.session(id, name, on: channel))
        }
        #expect(registry.onlineUsers.map(\.id) == [10, 20, 30])
        #expect(registry.onlineUsers.map(\.username) == ["ann", "bob", "cy"])
    }

    /// Fan-out takes one loop's sessions at a time and learns from the generation that
    /// they changed since its last look.
    @Test func eachLoopsSessionsCarryAGenerationThatMovesWithEveryChange() {
        let registry = SessionRegistry()
        let first = EmbeddedChannel()
        let second = EmbeddedChannel()  // its own EmbeddedEventLoop: another loop
        let ann = self.session(1, "ann", on: first)
        _ = registry.add(ann)
        _ = registry.add(self.session(2, "bob", on: second))
        let before = registry.sessionsByLoop()
        #expect(before.count == 2)
        #expect(before.map(\.sessions.count).sorted() == [1, 1])

        _ = registry.remove(ann.id)
        let after = registry.sessionsByLoop()
        let annsLoop = after.first { $0.loop === first.eventLoop }
        #expect(annsLoop?.sessions.isEmpty == true)
        let oldGeneration = before.first { $0.loop === first.eventLoop }?.generation
        #expect(annsLoop?.generation != oldGeneration)
    }
}
