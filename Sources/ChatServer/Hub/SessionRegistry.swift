// SPDX-License-Identifier: Apache-2.0
import NIOConcurrencyHelpers
import NIOCore

/// Every logged-in session of this node, by id, by user and by event loop.
/// Changed only at login and logout; read by fan-out and admins. The per-loop
/// dictionaries are copy-on-write, so a fan-out snapshot costs no copying.
final class SessionRegistry: Sendable {
    private struct State {
        var sessions: [SessionID: SessionInfo] = [:]
        /// A user's session ids: an array, because nearly every user has one session
        /// (a dictionary per user would cost several times the memory).
        var byUser: [Int: [SessionID]] = [:]
        var byLoop: [ObjectIdentifier: LoopSessions] = [:]
        /// Counts logins and logouts, so fan-out can tell that a loop's sessions changed.
        var generation: UInt64 = 0
    }

    private let state = NIOLockedValueBox(State())

    /// Adds a session; true when it is the user's first (the user came online).
    func add(_ session: SessionInfo) -> Bool {
        self.state.withLockedValue { state in
            state.sessions[session.id] = session
            let first = state.byUser[session.user.id]?.isEmpty ?? true
            state.byUser[session.user.id, default: []].append(session.id)
            let loop = session.channel.eventLoop
            let key = ObjectIdentifier(loop)
            state.generation += 1
            if state.byLoop[key] == nil { state.byLoop[key] = LoopSessions(loop: loop, generation: 0, sessions: [:]) }
            state.byLoop[key]!.sessions[session.id] = session
            state.byLoop[key]!.generation = state.generation
            return first
        }
    }

    /// Removes a session; returns it and whether it was the user's last. Nil when
    /// it was not registered (never logged in, or already removed).
    func remove(_ id: SessionID) -> (session: SessionInfo, wasLast: Bool)? {
        self.state.withLockedValue { state in
            guard let session = state.sessions.removeValue(forKey: id) else { return nil }
            state.byUser[session.user.id]?.removeAll { $0 == id }
            let last = state.byUser[session.user.id]?.isEmpty ?? true
            if last { state.byUser.removeValue(forKey: session.user.id) }
            state.generation += 1
            let key = ObjectIdentifier(session.channel.eventLoop)
            state.byLoop[key]?.sessions.removeValue(forKey: id)
            state.byLoop[key]?.generation = state.generation
            return (session, last)
        }
    }

    func sessions(of user: Int) -> [SessionInfo] {
        self.state.withLockedValue { state in (state.byUser[user] ?? []).compactMap { state.sessions[$0] } }
    }

    func session(_ id: SessionID) -> SessionInfo? {
        self.state.withLockedValue { $0.sessions[id] }
    }

    var allSessions: [SessionInfo] {
        self.state.withLockedValue { Array($0.sessions.values) }
    }

    /// Online users with their names, sorted by id.
    var onlineUsers: [UserIdentity] {
        self.state.withLockedValue { state in
            state.byUser.compactMap { $0.value.first.flatMap { state.sessions[$0]?.user } }.sorted { $0.id < $1.id }
        }
    }

    var counts: (sessions: Int, users: Int) {
        self.state.withLockedValue { ($0.sessions.count, $0.byUser.count) }
    }

    /// Channels of the sessions that have received nothing since `millis` (epoch ms).
    func channels(silentSince millis: Int64) -> [any Channel] {
        self.state.withLockedValue { state in
            state.sessions.values.filter { $0.stats.lastActivityMillis < millis }.map(\.channel)
        }
    }

    /// Sessions grouped by event loop, for fan-out.
    func sessionsByLoop() -> [LoopSessions] {
        self.state.withLockedValue { Array($0.byLoop.values) }
    }
}

/// One event loop's logged-in sessions, as fan-out sees them at one moment.
struct LoopSessions: Sendable {
    let loop: any EventLoop
    /// Changes with every login and logout on the loop.
    var generation: UInt64
    var sessions: [SessionID: SessionInfo]
}
