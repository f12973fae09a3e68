// SPDX-License-Identifier: Apache-2.0
import NIOConcurrencyHelpers
import Testing

@testable import ChatServer

/// A logout waits for the group messages stored before it, and only for those.
@Suite(.timeLimit(.minutes(1))) struct GroupDispatchesTests {
    @Test func waitsForThoseBegunBeforeAndNotForLaterOnes() async {
        let dispatches = GroupDispatches()
        let first = dispatches.begin()
        let second = dispatches.begin()
        let logout = dispatches.begin()  // a ticket's number is where a wait can start
        dispatches.end(logout)
        _ = dispatches.begin()  // after: stays open to the end, and is not waited for
        let returned = NIOLockedValueBox(false)
        let waiter = Task {
            await dispatches.wait(before: logout)
            returned.withLockedValue { $0 = true }
        }
        dispatches.end(second)
        // Never true here, whenever the waiter runs: `first` is open.
        #expect(!returned.withLockedValue { $0 })
        dispatches.end(first)
        await waiter.value
        #expect(returned.withLockedValue { $0 })
    }

    @Test func returnsAtOnceWhenNothingIsOpen() async {
        let dispatches = GroupDispatches()
        dispatches.end(dispatches.begin())
        await dispatches.waitForThoseBegun()
    }
}
