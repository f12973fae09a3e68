// SPDX-License-Identifier: Apache-2.0
import ChatStore
import ControlProtocol
import Foundation

/// Methods about user records in the store.
extension ControlAPI {
    func getUser(_ params: Control.UserGet.Params) async throws(ControlError) -> Control.UserGet.Result {
        let id = try ControlParams.userID(params.userID)
        guard let user = try await self.checked(id: id, await self.server.store.userSummary(id: id)) else {
            throw .refused("no user \(id)")
        }
        // The hash never leaves chatd; the detail says that it exists without showing it.
        return .init(
            user: ControlUserDetail(user: Self.shape(user), sessions: self.server.hub.liveSessions(of: id).count)
        )
    }

    func listUsers(_ params: Control.UserList.Params) async throws(ControlError) -> Control.UserList.Result {
        let cursor = params.cursor ?? "0"
        let count = params.count ?? 100
        guard (1...10_000).contains(count) else { throw .invalidParams("count must be 1 to 10000") }
        let page = try await self.checked(await self.server.store.listUsers(cursor: cursor, count: count))
        return .init(users: page.users.map(Self.shape), cursor: page.cursor)
    }

    /// Disabling refuses new logins first, then ends the live sessions.
    func disableUser(
        _ params: Control.UserDisable.Params,
        audit: Audit
    ) async throws(ControlError) -> Control.UserDisable.Result {
        let id = try ControlParams.userID(params.userID)
        audit.target = "user \(id)"
        try await self.checked(id: id, await self.server.store.setDisabled(id: id, true))
        let reason = params.reason ?? "account disabled"
        audit.reason = reason
        let sessions = self.server.hub.liveSessions(of: id)
        await self.server.hub.kick(sessions, reason: reason)
        await self.server.hub.kickElsewhere(user: id, reason: reason)
        return .init(userID: id, kicked: sessions.map(\.id.rawValue))
    }

    func enableUser(
        _ params: Control.UserEnable.Params,
        audit: Audit
    ) async throws(ControlError) -> Control.UserEnable.Result {
        let id = try ControlParams.userID(params.userID)
        audit.target = "user \(id)"
        try await self.checked(id: id, await self.server.store.setDisabled(id: id, false))
        return .init(userID: id)
    }

    /// A new user, made by an administrator: the same rules as a registration (name,
    /// password, ids never reused), whether or not registration is open.
    func addUser(_ params: Control.UserAdd.Params, audit: Audit) async throws(ControlError) -> Control.UserAdd.Result {
        let id = try ControlParams.userID(params.userID)
        audit.target = "user \(id)"
        try await self.checked(
            id: id,
            await self.server.store.register(id: id, username: params.username, password: params.password)
        )
        return .init(userID: id, username: params.username)
    }

    /// A new password ends every session of the user, here and on other nodes: whoever
    /// knew the old one is not left connected. Their resume tokens stop working too.
    func setPassword(
        _ params: Control.UserPasswd.Params,
        audit: Audit
    ) async throws(ControlError) -> Control.UserPasswd.Result {
        let id = try ControlParams.userID(params.userID)
        audit.target = "user \(id)"
        try await self.checked(id: id, await self.server.store.setPassword(id: id, params.password))
        let sessions = self.server.hub.liveSessions(of: id)
        await self.server.hub.kick(sessions, reason: "password changed, log in again")
        await self.server.hub.kickElsewhere(user: id, reason: "password changed, log in again")
        return .init(userID: id, kicked: sessions.map(\.id.rawValue))
    }

    /// Disable (no new logins), kick, then delete: no session outlives its record.
    func deleteUser(
        _ params: Control.UserDelete.Params,
        audit: Audit
    ) async throws(ControlError) -> Control.UserDelete.Result {
        let id = try ControlParams.userID(params.userID)
        audit.target = "user \(id)"
        do throws(StoreError) { try await self.server.store.setDisabled(id: id, true) } catch .noSuchUser {
            // Nothing to disable; the delete below says whether anything existed.
        } catch {
            throw Self.map(error, id: id)
        }
        let sessions = self.server.hub.liveSessions(of: id)
        await self.server.hub.kick(sessions, reason: "account deleted")
        await self.server.hub.kickElsewhere(user: id, reason: "account deleted")
        let deleted = try await self.checked(id: id, await self.server.store.deleteUser(id: id))
        return .init(
            userID: id,
            kicked: sessions.map(\.id.rawValue),
            inboxDeleted: deleted.inbox,
            conversationsDeleted: deleted.conversations
        )
    }

    func importSeed(audit: Audit) async throws(ControlError) -> Control.UserImport.Result {
        audit.target = "seed users"
        let counts = try await self.checked(await self.server.store.importSeedUsers())
        return .init(imported: counts.imported, skipped: counts.skipped)
    }
}
