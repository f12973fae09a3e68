// SPDX-License-Identifier: Apache-2.0
import ChatStore
import ControlProtocol
import Foundation

/// The result shapes (docs/CONTROL.md): snake_case keys, times in ms since the epoch.
extension ControlAPI {
    static func json(_ session: SessionInfo, now: Int64) -> JSONValue {
        .object([
            "session_id": .string(session.id.rawValue),
            "user_id": .int(session.user.id),
            "username": .string(session.user.username),
            "peer": .string(session.peer),
            "connected_at": .int64(session.connectedAt),
            "idle_seconds": .int(Int(max(0, now - session.stats.lastActivityMillis) / 1000)),
            "messages_in": .int(session.stats.received),
            "messages_out": .int(session.stats.sent),
        ])
    }

    static func json(_ user: UserSummary) -> JSONValue {
        .object([
            "user_id": .int(user.id),
            "username": .string(user.username),
            "created": .int64(user.created),
            "disabled": .bool(user.disabled),
            "last_login": user.lastLogin.map { .int64($0) } ?? .null,
            "token_epoch": .int(user.tokenEpoch),
            "seed_record": .bool(user.isSeedRecord),
        ])
    }
}
