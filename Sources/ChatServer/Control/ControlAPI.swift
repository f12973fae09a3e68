// SPDX-License-Identifier: Apache-2.0
import ChatStore
import ControlProtocol
import Foundation
import Logging

/// Who is calling the control API (from SO_PEERCRED).
public struct PeerCredentials: Sendable, Equatable {
    public var pid: Int32
    public var uid: UInt32
    public var gid: UInt32
    public init(pid: Int32, uid: UInt32, gid: UInt32) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
    }
}

/// How a configuration reload went, for `config.reload`.
public struct ReloadOutcome: Sendable {
    /// Nil when the new configuration is in force.
    public var error: String?
    /// Keys whose new value waits for a restart.
    public var needsRestart: [String]

    public init(error: String? = nil, needsRestart: [String] = []) {
        self.error = error
        self.needsRestart = needsRestart
    }
}

/// The control API's methods (docs/CONTROL.md). Each takes params and returns a
/// result or a `ControlError`; every method that changes something is audited.
public final class ControlAPI: Sendable {
    let server: ChatServer
    let logger: Logger
    let reload: @Sendable () async -> ReloadOutcome

    public init(server: ChatServer, logger: Logger, reload: @escaping @Sendable () async -> ReloadOutcome) {
        self.server = server
        self.logger = logger
        self.reload = reload
    }

    public func handle(_ request: ControlRequest, caller: PeerCredentials) async -> ControlResponse {
        do throws(ControlError) {
            let params = try ControlParams.object(request.params)
            let result = try await self.dispatch(request.method, params: params, caller: caller)
            return ControlResponse(id: request.id, result: result)
        } catch {
            return ControlResponse(id: request.id, error: error)
        }
    }

    func dispatch(_ method: String, params: JSONValue, caller: PeerCredentials) async throws(ControlError) -> JSONValue
    {
        let call = Call(api: self, params: params, caller: caller)
        switch method {
        case Control.Status.name: return try await call.run(Control.Status.self) { _, _ in self.status() }
        case Control.Stats.name:
            return try await call.run(Control.Stats.self) { (p, _) async throws(ControlError) in try await self.stats(p)
            }
        case Control.SessionsList.name:
            return try await call.run(Control.SessionsList.self) { (p, _) async throws(ControlError) in
                try await self.listSessions(p)
            }
        case Control.UsersOnline.name:
            return try await call.run(Control.UsersOnline.self) { _, _ in self.onlineUsers() }
        case Control.NodesList.name:
            return try await call.run(Control.NodesList.self) { (_, _) async throws(ControlError) in
                try await self.listNodes()
            }
        case Control.UserGet.name:
            return try await call.run(Control.UserGet.self) { (p, _) async throws(ControlError) in
                try await self.getUser(p)
            }
        case Control.UserList.name:
            return try await call.run(Control.UserList.self) { (p, _) async throws(ControlError) in
                try await self.listUsers(p)
            }
        case Control.SessionKick.name: return try await call.run(Control.SessionKick.self, self.kickSessions)
        case Control.UserKick.name: return try await call.run(Control.UserKick.self, self.kickUser)
        case Control.UserDisable.name: return try await call.run(Control.UserDisable.self, self.disableUser)
        case Control.UserEnable.name: return try await call.run(Control.UserEnable.self, self.enableUser)
        case Control.UserAdd.name: return try await call.run(Control.UserAdd.self, self.addUser)
        case Control.UserPasswd.name: return try await call.run(Control.UserPasswd.self, self.setPassword)
        case Control.UserDelete.name: return try await call.run(Control.UserDelete.self, self.deleteUser)
        case Control.UserImport.name:
            return try await call.run(Control.UserImport.self) { (_, a) async throws(ControlError) in
                try await self.importSeed(audit: a)
            }
        case Control.Broadcast.name: return try await call.run(Control.Broadcast.self, self.broadcast)
        case Control.ConfigReload.name:
            return try await call.run(Control.ConfigReload.self) { (_, a) async throws(ControlError) in
                try await self.reloadConfig(audit: a)
            }
        default: throw ControlError.methodNotFound(method)
        }
    }

    // MARK: Helpers

    /// A store call with its errors turned into control errors ("no user <id>").
    func checked<T>(
        id: Int? = nil,
        _ operation: @autoclosure () async throws(StoreError) -> T
    ) async throws(ControlError) -> T {
        do throws(StoreError) { return try await operation() } catch { throw Self.map(error, id: id) }
    }

    static func map(_ error: StoreError, id: Int?) -> ControlError {
        switch error {
        case .noSuchUser: return .refused(id.map { "no user \($0)" } ?? "no such user")
        case .invalidInput(let why): return .invalidParams(why)
        case .unavailable: return .unavailable("the store is unavailable")
        case .outcomeUnknown:
            return .unavailable("the store did not answer in time; the change may or may not have been made")
        case .corruptRecord(let why): return .internalError("unreadable record: \(why)")
        case .userExists: return .refused(id.map { "user \($0) already exists" } ?? "the user already exists")
        case .idRetired:
            return .refused(
                id.map { "user id \($0) belonged to a deleted user; ids are never reused" }
                    ?? "that id belonged to a deleted user"
            )
        case .busy: return .unavailable("password hashing is busy, try again")
        case .wrongPassword, .userDisabled: return .refused("\(error)")
        }
    }

}
