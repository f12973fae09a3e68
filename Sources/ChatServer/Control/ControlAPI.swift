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
            let params = try Params(request.params)
            let result = try await self.dispatch(request.method, params: params, caller: caller)
            return ControlResponse(id: request.id, result: result)
        } catch {
            return ControlResponse(id: request.id, error: error)
        }
    }

    func dispatch(_ method: String, params: Params, caller: PeerCredentials) async throws(ControlError) -> JSONValue {
        switch method {
        case "status": return self.status()
        case "stats": return try await self.stats(params)
        case "sessions.list": return try await self.listSessions(params)
        case "users.online": return self.onlineUsers()
        case "user.get": return try await self.getUser(params)
        case "user.list": return try await self.listUsers(params)
        case "nodes.list": return try await self.listNodes()
        default: break
        }
        // Everything below changes something: audited with the caller's uid.
        let audit = Audit(logger: self.logger, caller: caller, method: method)
        do throws(ControlError) {
            let result: JSONValue
            switch method {
            case "session.kick": result = try await self.kickSessions(params, audit: audit)
            case "user.kick": result = try await self.kickUser(params, audit: audit)
            case "user.disable": result = try await self.setDisabled(true, params, audit: audit)
            case "user.enable": result = try await self.setDisabled(false, params, audit: audit)
            case "user.add": result = try await self.addUser(params, audit: audit)
            case "user.passwd": result = try await self.setPassword(params, audit: audit)
            case "user.delete": result = try await self.deleteUser(params, audit: audit)
            case "user.import": result = try await self.importSeed(audit: audit)
            case "broadcast": result = try await self.broadcast(params, audit: audit)
            case "config.reload": result = try await self.reloadConfig(audit: audit)
            default: throw ControlError.methodNotFound(method)
            }
            audit.done()
            return result
        } catch {
            if error.code != ControlError.Code.methodNotFound { audit.failed(error) }
            throw error
        }
    }

    // MARK: Helpers

    /// A store call with its errors turned into control errors ("no user <id>").
    func checked<T>(id: Int? = nil, _ operation: @autoclosure () async throws(StoreError) -> T) async throws(ControlError) -> T {
        do throws(StoreError) { return try await operation() } catch { throw Self.map(error, id: id) }
    }

    static func map(_ error: StoreError, id: Int?) -> ControlError {
        switch error {
        case .noSuchUser: return .refused(id.map { "no user \($0)" } ?? "no such user")
        case .invalidInput(let why): return .invalidParams(why)
        case .unavailable: return .unavailable("the store is unavailable")
        case .outcomeUnknown: return .unavailable("the store did not answer in time; the change may or may not have been made")
        case .corruptRecord(let why): return .internalError("unreadable record: \(why)")
        case .userExists: return .refused(id.map { "user \($0) already exists" } ?? "the user already exists")
        case .idRetired: return .refused(id.map { "user id \($0) belonged to a deleted user; ids are never reused" } ?? "that id belonged to a deleted user")
        case .busy: return .unavailable("password hashing is busy, try again")
        case .wrongPassword, .userDisabled: return .refused("\(error)")
        }
    }

}
