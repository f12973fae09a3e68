import ChatProtocol
import NIOCore

/// The chat server's live settings (limits and timeouts). Values that can change
/// at runtime are read from here at each use.
public struct ServerConfiguration: Sendable, Equatable {
    /// Largest frame body accepted, checked from the length prefix.
    public var maxFrameSize: Int = FrameDecoder.defaultMaxFrameSize
    /// A session that sends nothing (not even PingMes) for this long is closed. Zero disables.
    public var idleTimeout: TimeAmount = .seconds(600)
    /// A connection must log in within this time. Zero disables.
    public var loginTimeout: TimeAmount = .seconds(60)
    /// History page size when a `HistoryMes` gives none.
    public var historyDefaultLimit: Int = 20
    /// Frames read ahead of the one being processed before reading pauses.
    public var maxQueuedRequests: Int = 32
    /// Sent to each session as a group message from the server right after login; empty: none.
    public var messageOfTheDay: String = ""

    public init() {}
}
