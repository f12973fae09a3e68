// SPDX-License-Identifier: Apache-2.0
import NIOConcurrencyHelpers

/// Group messages between "stored" and "handed to the event loops", numbered, so that
/// a logout can wait for those stored before it records the room as seen: each is then
/// on its way to the session (a loop runs its tasks in order) before the session closes.
final class GroupDispatches: Sendable {
    private struct State {
        var next = 0
        var open: Set<Int> = []
        var waiters: [(before: Int, continuation: CheckedContinuation<Void, Never>)] = []

        func done(before ticket: Int) -> Bool { !self.open.contains { $0 < ticket } }
    }
    private let state = NIOLockedValueBox(State())

    /// Call before storing; `end` it once the message is handed to the loops (or failed).
    func begin() -> Int {
        self.state.withLockedValue { state in
            defer { state.next += 1 }
            state.open.insert(state.next)
            return state.next
        }
    }

    func end(_ ticket: Int) {
        let ready = self.state.withLockedValue { state -> [CheckedContinuation<Void, Never>] in
            state.open.remove(ticket)
            guard !state.waiters.isEmpty else { return [] }  // nearly always: no logout waits
            let (ready, waiting) = (
                state.waiters.filter { state.done(before: $0.before) },
                state.waiters.filter { !state.done(before: $0.before) }
            )
            state.waiters = waiting
            return ready.map(\.continuation)
        }
        for continuation in ready { continuation.resume() }
    }

    /// Returns once every message begun before this call has been handed to the loops.
    func waitForThoseBegun() async {
        await self.wait(before: self.state.withLockedValue { $0.next })
    }

    /// Returns once every ticket below `ticket` has ended.
    func wait(before ticket: Int) async {
        await withCheckedContinuation { continuation in
            let done = self.state.withLockedValue { state -> Bool in
                if state.done(before: ticket) { return true }
                state.waiters.append((ticket, continuation))
                return false
            }
            if done { continuation.resume() }
        }
    }
}
