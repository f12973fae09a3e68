// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import NIOConcurrencyHelpers
import NIOCore

/// Gathers "came online" / "went offline" changes for a short interval and hands them
/// over as one buffer of notices, encoded once for everyone.
///
/// Why: by protocol every session hears of every login, so N logins cost N² notices.
/// Sent one by one that is N² writes; batched, a login storm of K users in one
/// interval costs each session one write holding K notices. A user who leaves and
/// comes back within the interval (a reconnect) causes no notice at all — unless a
/// session logged in during the interval: its login reply showed the state in between,
/// so it must hear the final one.
final class PresenceBatcher: Sendable {
    /// One interval's notices: `bytes` holds every frame; `ranges[user]` is where
    /// that user's own notice sits, so their sessions can be sent the rest.
    struct Batch: Sendable {
        var bytes: ByteBuffer
        var ranges: [Int: Range<Int>]
    }

    private struct Change {
        var user: UserIdentity
        /// What sessions were last told about this user.
        var toldOnline: Bool
        var online: Bool
        var order: Int
    }

    private struct State {
        var changes: [Int: Change] = [:]
        var next = 0
        var scheduled = false
        var stopped = false
        /// A login reply was made during this interval.
        var loginSeen = false
    }

    static let interval: Duration = .milliseconds(250)

    private let state = NIOLockedValueBox(State())
    private let deliver: @Sendable (Batch) -> Void
    /// One element per interval that has changes to hand over; `run` waits on it.
    private let intervals: AsyncStream<Void>
    private let intervalStarted: AsyncStream<Void>.Continuation

    init(deliver: @escaping @Sendable (Batch) -> Void) {
        self.deliver = deliver
        (self.intervals, self.intervalStarted) = AsyncStream.makeStream(of: Void.self)
    }

    /// Hands each interval's notices over at its end, until cancelled (the server's `run`).
    func run() async {
        for await _ in self.intervals {
            try? await Task.sleep(for: Self.interval)
            guard !Task.isCancelled else { return }
            self.flush()
        }
    }

    /// Records a change; the notices leave at the end of the current interval.
    func record(_ user: UserIdentity, online: Bool) {
        let start = self.state.withLockedValue { state -> Bool in
            guard !state.stopped else { return false }
            if state.changes[user.id] != nil {
                state.changes[user.id]!.online = online
                state.changes[user.id]!.user = user
            } else {
                state.changes[user.id] = Change(user: user, toldOnline: !online, online: online, order: state.next)
                state.next += 1
            }
            defer { state.scheduled = true }
            return !state.scheduled
        }
        guard start else { return }
        self.intervalStarted.yield()
    }

    /// A login reply lists who is online now: a change that is undone before the interval
    /// ends is not silent any more for that session.
    func noteLogin() {
        self.state.withLockedValue { $0.loginSeen = true }
    }

    /// No more notices: the server is going down, and its event loops with it. With
    /// `flushing`, what the current interval holds is handed over first (a handover: the
    /// sessions go on, and must not miss a notice).
    func stop(flushing: Bool = false) {
        if flushing { self.flush() }
        self.state.withLockedValue {
            $0.stopped = true
            $0.changes = [:]
        }
    }

    private func flush() {
        let changes = self.state.withLockedValue { state in
            defer {
                state.changes = [:]
                state.scheduled = false
                state.loginSeen = false
            }
            let loginSeen = state.loginSeen
            return state.changes.values.filter { loginSeen || $0.online != $0.toldOnline }.sorted {
                $0.order < $1.order
            }
        }
        guard !changes.isEmpty else { return }
        var bytes = ByteBuffer()
        var ranges: [Int: Range<Int>] = [:]
        for change in changes {
            var notice = ServerMessage.notifyUserStatus(
                NotifyUserStatusMes(
                    userid: change.user.id,
                    status: change.online ? UserStatus.online : UserStatus.offline,
                    username: change.user.username
                )
            ).frame()
            let start = bytes.writerIndex
            bytes.writeBuffer(&notice)
            ranges[change.user.id] = start..<bytes.writerIndex
        }
        self.deliver(Batch(bytes: bytes, ranges: ranges))
    }
}
