import ChatProtocol
import NIOCore

/// Delivers frames to logged-in sessions. A frame is encoded once by the caller
/// and the same bytes go to every recipient; each event loop writes to its own
/// channels in one pass.
public final class Hub: Sendable {
    let registry = SessionRegistry()

    /// To every logged-in session but `except` (a session) and `exceptUser` (all their sessions).
    func broadcast(_ frame: ByteBuffer, except: SessionID? = nil, exceptUser: Int? = nil) {
        let excludedByUser: Set<SessionID> = exceptUser.map { Set(self.registry.sessions(of: $0).map(\.id)) } ?? []
        for (loop, channels) in self.registry.channelsByLoop() where !channels.isEmpty {
            loop.execute {
                for (id, channel) in channels where id != except && !excludedByUser.contains(id) {
                    channel.writeAndFlush(frame, promise: nil)
                }
            }
        }
    }

    /// To every session of `user` (but `except`); returns how many were written to.
    @discardableResult
    func send(_ frame: ByteBuffer, toUser user: Int, except: SessionID? = nil) -> Int {
        var count = 0
        for session in self.registry.sessions(of: user) where session.id != except {
            session.channel.writeAndFlush(frame, promise: nil)
            count += 1
        }
        return count
    }

    public var counts: (sessions: Int, users: Int) { self.registry.counts }
    public var sessions: [SessionInfo] { self.registry.allSessions }
    public func sessions(of user: Int) -> [SessionInfo] { self.registry.sessions(of: user) }
    public var onlineUsers: [UserIdentity] { self.registry.onlineUsers }
}
