// SPDX-License-Identifier: Apache-2.0
import ChatStore
import ControlProtocol
import Foundation

/// Methods about live sessions.
extension ControlAPI {
    func listSessions(_ params: Params) async throws(ControlError) -> JSONValue {
        let user = try params.optionalInt("user_id")
        if try params.optionalBool("all_nodes") == true { return try await self.listSessionsOfAllNodes(user: user) }
        return .object(["sessions": .array(self.server.report.sessions(of: user).sessions)])
    }

    func onlineUsers() -> JSONValue {
        let byUser = Dictionary(grouping: self.server.hub.liveSessions, by: \.user.id)
        let users = byUser.keys.sorted().compactMap { id -> JSONValue? in
            guard let sessions = byUser[id], let user = sessions.first?.user else { return nil }
            return .object(["user_id": .int(id), "username": .string(user.username), "sessions": .int(sessions.count)])
        }
        return .object(["users": .array(users)])
    }

    func kickSessions(_ params: Params, audit: Audit) async throws(ControlError) -> JSONValue {
        var ids = try params.optionalStringArray("session_ids") ?? []
        if let one = try params.optionalString("session_id") { ids.append(one) }
        ids = ids.reduce(into: []) { unique, id in if !unique.contains(id) { unique.append(id) } }
        guard !ids.isEmpty else { throw .invalidParams("session_ids is required") }
        let reason = try params.reason()
        audit.target = ids.joined(separator: ",")
        audit.reason = reason
        let found = ids.compactMap { self.server.hub.liveSession(SessionID(rawValue: $0)) }
        let notFound = ids.filter { id in !found.contains { $0.id.rawValue == id } }
        guard !found.isEmpty else { throw .refused("no such session: \(notFound.joined(separator: ", "))") }
        await self.server.hub.kick(found, reason: reason)
        return .object([
            "kicked": .array(found.map { .string($0.id.rawValue) }),
            "not_found": .array(notFound.map { .string($0) }),
        ])
    }

    func kickUser(_ params: Params, audit: Audit) async throws(ControlError) -> JSONValue {
        let id = try params.userID()
        let reason = try params.reason()
        audit.target = "user \(id)"
        audit.reason = reason
        let sessions = self.server.hub.liveSessions(of: id)
        await self.server.hub.kick(sessions, reason: reason)
        await self.server.hub.kickElsewhere(user: id, reason: reason)
        return .object(["user_id": .int(id), "kicked": .array(sessions.map { .string($0.id.rawValue) })])
    }
}
