// SPDX-License-Identifier: Apache-2.0
import ChatStore
import ControlProtocol

/// The result shapes (docs/CONTROL.md) from the server's own types.
extension ControlAPI {
    static func shape(_ session: SessionInfo, now: Int64) -> ControlSession {
        ControlSession(
            sessionID: session.id.rawValue,
            userID: session.user.id,
            username: session.user.username,
            peer: session.peer,
            connectedAt: session.connectedAt,
            idleSeconds: Int(max(0, now - session.stats.lastActivityMillis) / 1000),
            messagesIn: session.stats.received,
            messagesOut: session.stats.sent
        )
    }

    static func shape(_ user: UserSummary) -> ControlUser {
        ControlUser(
            userID: user.id,
            username: user.username,
            created: user.created,
            disabled: user.disabled,
            lastLogin: user.lastLogin,
            tokenEpoch: user.tokenEpoch,
            seedRecord: user.isSeedRecord
        )
    }
}
