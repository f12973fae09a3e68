// SPDX-License-Identifier: Apache-2.0
import ChatStore
import ControlProtocol
import Foundation

/// Methods about user records in the store.
extension ControlAPI {
    func getUser(_ params: Params) async throws(ControlError) -> JSONValue {
        let id = try params.userID()
        guard let user = try await self.checked(id: id, await self.server.store.userSummary(id: id)) else {
            throw .refused("no user \(id)")
        }
        guard case .object(var fields) = Self.json(user) else { return .null }
        // The hash never leaves chatd; say that it exists without showing it.
        fields["password"] = .string("<redacted>")
        fields["sessions"] = .int(self.server.hub.liveSessions(of: id).count)
        return .object(["user": .object(fields)])
    }

    func listUsers(_ params: Params) async throws(ControlError) -> JSONValue {
        let cursor = try params.optionalString("cursor") ?? "0"
        let count = try params.optionalInt("count") ?? 100
        guard (1...10_000).contains(count) else { throw .invalidParams("count must be 1 to 10000") }
        let page = try await self.checked(await self.server.store.listUsers(cursor: cursor, count: count))
        return .object(["users": .array(page.users.map(Self.json)), "cursor": .string(page.cursor)])
    }

    /// Disabling refuses new logins first, then ends the live sessions.
    func setDisabled(_ disabled: Bool, _ params: Params, audit: Audit) async throws(ControlError) -> JSONValue {
        let id = try params.userID()
        audit.target = "user \(id)"
        try await self.checked(id: id, await self.server.store.setDisabled(id: id, disabled))
        var result: [String: JSONValue] = ["user_id": .int(id), "disabled": .bool(disabled)]
        if disabled {
            let reason = try params.optionalString("reason") ?? "account disabled"
            audit.reason = reason
            let sessions = self.server.hub.liveSessions(of: id)
            await self.server.hub.kick(sessions, reason: reason)
            await self.server.hub.kickElsewhere(user: id, reason: reason)
            result["kicked"] = .array(sessions.map { .string($0.id.rawValue) })
        }
        return .object(result)
    }

    /// A new user, made by an administrator: the same rules as a registration (name,
    /// password, ids never reused), whether or not registration is open.
    func addUser(_ params: Params, audit: Audit) async throws(ControlError) -> JSONValue {
        let id = try params.userID()
        audit.target = "user \(id)"
        let name = try params.string("username")
        let password = try params.string("password")
        try await self.checked(id: id, await self.server.store.register(id: id, username: name, password: password))
        return .object(["user_id": .int(id), "username": .string(name)])
    }

    /// A new password ends every session of the user, here and on other nodes: whoever
    /// knew the old one is not left connected. Their resume tokens stop working too.
    func setPassword(_ params: Params, audit: Audit) async throws(ControlError) -> JSONValue {
        let id = try params.userID()
        audit.target = "user \(id)"
        let password = try params.string("password")
        try await self.checked(id: id, await self.server.store.setPassword(id: id, password))
        let sessions = self.server.hub.liveSessions(of: id)
        await self.server.hub.kick(sessions, reason: "password changed, log in again")
        await self.server.hub.kickElsewhere(user: id, reason: "password changed, log in again")
        return .object(["user_id": .int(id), "kicked": .array(sessions.map { .string($0.id.rawValue) })])
    }

    /// Disable (no new logins), kick, then delete: no session outlives its record.
    func deleteUser(_ params: Params, audit: Audit) async throws(ControlError) -> JSONValue {
        let id = try params.userID()
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
        return .object([
            "user_id": .int(id),
            "kicked": .array(sessions.map { .string($0.id.rawValue) }),
            "inbox_deleted": .bool(deleted.inbox),
            "conversations_deleted": .int(deleted.conversations),
        ])
    }

    func importSeed(audit: Audit) async throws(ControlError) -> JSONValue {
        audit.target = "seed users"
        let counts = try await self.checked(await self.server.store.importSeedUsers())
        return .object(["imported": .int(counts.imported), "skipped": .int(counts.skipped)])
    }
}
