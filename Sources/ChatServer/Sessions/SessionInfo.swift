// SPDX-License-Identifier: Apache-2.0
import Foundation
import NIOCore
import Synchronization

/// Counters a session keeps for admins; written on the session's loop, read anywhere.
public final class SessionStats: Sendable {
    let messagesIn = Atomic<Int>(0)
    let messagesOut = Atomic<Int>(0)
    /// Milliseconds since the epoch of the last frame received.
    let lastActivity: Atomic<Int64>

    init(now: Int64) { self.lastActivity = Atomic(now) }

    public var received: Int { messagesIn.load(ordering: .relaxed) }
    public var sent: Int { messagesOut.load(ordering: .relaxed) }
    public var lastActivityMillis: Int64 { lastActivity.load(ordering: .relaxed) }
}

/// Who is logged in on a session.
public struct UserIdentity: Sendable, Equatable {
    public var id: Int
    public var username: String
}

/// A logged-in session as the rest of the server sees it. A class, so the registry's
/// tables (by id, by loop) hold 8 bytes per session, not 112 and a second copy of the channel.
public final class SessionInfo: Sendable {
    public let id: SessionID
    public let user: UserIdentity
    public let peer: String
    public let connectedAt: Int64
    public let stats: SessionStats
    let channel: any Channel
    /// The resume tokens this session was given belong to this family; a logout revokes it.
    let tokenFamily: UInt64

    init(
        id: SessionID,
        user: UserIdentity,
        peer: String,
        connectedAt: Int64,
        stats: SessionStats,
        channel: any Channel,
        tokenFamily: UInt64 = 0
    ) {
        self.id = id
        self.user = user
        self.peer = peer
        self.connectedAt = connectedAt
        self.stats = stats
        self.channel = channel
        self.tokenFamily = tokenFamily
    }
}
