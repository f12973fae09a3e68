// SPDX-License-Identifier: Apache-2.0
import ChatStore
import NIOCore

/// A restart's orders to each session, in two rounds across all of them: first every
/// session stops reading and answers what it has queued (so no request is still making
/// messages for others), then each passes itself on.
enum HandoverCommand: Sendable {
    case pause(EventLoopPromise<Void>)
    /// Completed with what the next process needs, or nil when the session was closed instead.
    case handOver(EventLoopPromise<HandedOverSession?>)
}

/// What a session passed on at an orderly stop.
struct HandedOverSession: Sendable {
    var inode: UInt64
    var unfinished: ByteBuffer?
    var received: Int
    var sent: Int
}

/// A session taken over from the previous process.
struct RestoredSession: Sendable {
    var id: SessionID
    var user: UserIdentity
    var inode: UInt64
    var connectedAt: Int64
    var tokenFamily: UInt64
    /// Counting on from the previous process's figures.
    var stats = SessionStats(now: WallClock.millis())
    var unfinished: ByteBuffer?
}
