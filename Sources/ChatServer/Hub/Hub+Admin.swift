// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import NIOCore

/// What administrators do to live sessions.
extension Hub {
    /// A session whose connection is still open (a closed one leaves the registry a
    /// moment later, when the router has ended it).
    func liveSession(_ id: SessionID) -> SessionInfo? { self.registry.session(id).flatMap { $0.isLive ? $0 : nil } }

    func liveSessions(of user: Int) -> [SessionInfo] { self.registry.sessions(of: user).filter(\.isLive) }

    var liveSessions: [SessionInfo] { self.registry.allSessions.filter(\.isLive) }

    /// Tells each session to send `KickedMes` and close; returns once they are closed.
    /// A session busy with a request finishes it first (see `SessionHandler`).
    func kick(_ sessions: [SessionInfo], reason: String) async {
        for session in sessions {
            SessionCommand.kick(session.channel, reason: reason)
        }
        for session in sessions {
            try? await session.channel.closeFuture.get()
        }
    }

    /// A notice from the server to every logged-in session on every node, as a group
    /// message from user 0 "server" so seed clients show it too. Not stored. Returns
    /// the recipients on this node.
    func broadcastNotice(_ text: String, ts: Int64) async -> Int {
        let frame = ServerMessage.sms(SmsMes(content: text, userid: 0, username: "server", ts: ts)).frame()
        let recipients = self.counts.sessions
        await self.broadcast(frame)
        return recipients
    }
}

extension SessionInfo {
    /// False once the connection is closed, even before the registry forgets the session.
    var isLive: Bool { self.channel.isActive }
}
