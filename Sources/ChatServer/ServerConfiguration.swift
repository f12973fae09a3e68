// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import NIOCore

/// The chat server's live settings (limits and timeouts). Values that can change
/// at runtime are read from here at each use.
public struct ServerConfiguration: Sendable, Equatable {
    /// Largest frame body accepted, checked from the length prefix.
    public var maxFrameSize: Int = FrameDecoder.defaultMaxFrameSize
    /// A session that sends nothing (not even PingMes) for this long is closed. Zero disables.
    public var idleTimeout: TimeAmount = .seconds(600)
    /// A connection must log in within this time. Zero disables. Short: a connection
    /// that has not logged in holds a place of its address and of the server.
    public var loginTimeout: TimeAmount = .seconds(10)
    /// History page size when a `HistoryMes` gives none.
    public var historyDefaultLimit: Int = 20
    /// Frames read ahead of the one being processed before reading pauses.
    public var maxQueuedRequests: Int = 32
    /// How long a resume token from a successful login stays valid; zero: no tokens.
    public var tokenLifetime: Duration = .seconds(7 * 24 * 3600)
    /// Bytes that may wait to be sent to one session; past it the session is a slow
    /// consumer and is closed, so memory stays bounded however many stop reading.
    public var outboundQueueMax: Int = 256 * 1024
    /// Requests per second one session may send (PingMes excepted), and the burst
    /// allowed above it; over it a request gets ErrorMes 429 and does nothing. Zero: no limit.
    public var requestsPerSecond: Double = 10
    public var requestBurst: Double = 30
    /// A started frame must be complete within this time. Zero disables.
    public var frameTimeout: TimeAmount = .seconds(30)
    /// Failed logins for one user id from one source before each further one makes the
    /// next password attempt from there wait (1 s, doubling, up to `loginWindow`); and
    /// failed logins from one source, for any users, per `loginWindow`, past which its
    /// password logins get 429 until the window ends. A valid token always gets in. Zero: no limit.
    public var loginFailuresPerUser: Int = 5
    public var loginFailuresPerAddress: Int = 20
    public var loginWindow: TimeAmount = .seconds(60)
    /// Whether clients may register themselves; when closed, administrators add users.
    public var registrationOpen = false
    /// Registration attempts allowed per source address per hour. Zero: no limit.
    public var registrationsPerAddress: Int = 10
    /// Sessions one user may hold at once; connections this node accepts in all.
    public var maxSessionsPerUser: Int = 16
    public var maxConnections: Int = 50_000
    /// Connections one source (an IPv4 address, an IPv6 /64) may hold at once, logged
    /// in or not; past it new ones get 429 and are closed. Zero: no limit.
    public var connectionsPerAddress: Int = 32
    /// A node whose presence heartbeat is older than this is dead; its users are shown
    /// offline. It beats every third of this.
    public var presenceTTL: Duration = .seconds(15)
    /// How long a user whose last connection dropped still counts as online: a
    /// reconnect within it (a network blip, a client restarting) notifies no one.
    public var presenceGrace: Duration = .seconds(5)
    /// Comings and goings are announced one by one while at most this many users are
    /// online (0: always): N users coming online cost N² notices.
    public var presenceNoticesMaxUsers = 1000
    /// A control connection that sends no request (and waits for no answer) for this
    /// long is closed. Zero disables.
    public var controlIdleTimeout: TimeAmount = .seconds(60)
    /// Sent to each session as a group message from the server right after login; empty: none.
    public var messageOfTheDay: String = ""
    /// How long a drain (a stop without the fd store) waits for sessions to close.
    public var shutdownTimeout: Duration = .seconds(10)

    public init() {}
}
