// SPDX-License-Identifier: Apache-2.0
import ChatStore
import ControlProtocol
import Foundation

/// Methods about live sessions.
extension ControlAPI {
    func listSessions(_ params: Control.SessionsList.Params) async throws(ControlError) -> Control.SessionsList.Result {
        if params.allNodes == true { return try await self.listSessionsOfAllNodes(user: params.userID) }
        return .init(sessions: self.server.report.sessions(of: params.userID).sessions)
    }

    func onlineUsers() -> Control.UsersOnline.Result {
        let byUser = Dictionary(grouping: self.server.hub.liveSessions, by: \.user.id)
        let users = byUser.keys.sorted().compactMap { id -> ControlOnlineUser? in
            guard let sessions = byUser[id], let user = sessions.first?.user else { return nil }
            return ControlOnlineUser(userID: id, username: user.username, sessions: sessions.count)
        }
        return .init(users: users)
    }

    func kickSessions(
        _ params: Control.SessionKick.Params,
        audit: Audit
    ) async throws(ControlError) -> Control.SessionKick.Result {
        var ids = params.sessionIDs ?? []
        if let one = params.sessionID { ids.append(one) }
        ids = ids.reduce(into: []) { unique, id in if !unique.contains(id) { unique.append(id) } }
        guard !ids.isEmpty else { throw .invalidParams("session_ids is required") }
        let reason = try ControlParams.reason(params.reason)
        audit.target = ids.joined(separator: ",")
        audit.reason = reason
        let found = ids.compactMap { self.server.hub.liveSession(SessionID(rawValue: $0)) }
        let notFound = ids.filter { id in !found.contains { $0.id.rawValue == id } }
        guard !found.isEmpty else { throw .refused("no such session: \(notFound.joined(separator: ", "))") }
        await self.server.hub.kick(found, reason: reason)
        return .init(kicked: found.map(\.id.rawValue), notFound: notFound)
    }

    func kickUser(_ params: Control.UserKick.Params, audit: Audit) async throws(ControlError) -> Control.UserKick.Result
    {
        let id = try ControlParams.userID(params.userID)
        let reason = try ControlParams.reason(params.reason)
        audit.target = "user \(id)"
        audit.reason = reason
        let sessions = self.server.hub.liveSessions(of: id)
        await self.server.hub.kick(sessions, reason: reason)
        await self.server.hub.kickElsewhere(user: id, reason: reason)
        return .init(userID: id, kicked: sessions.map(\.id.rawValue))
    }
}
