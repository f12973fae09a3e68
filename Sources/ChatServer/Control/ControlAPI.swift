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
    let startedAt = Date()

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
        case "stats": return self.stats()
        case "sessions.list": return try self.listSessions(params)
        case "users.online": return self.onlineUsers()
        case "user.get": return try await self.getUser(params)
        case "user.list": return try await self.listUsers(params)
        default: break
        }
        // Everything below changes something: audited with the caller's uid.
        let audit = Audit(logger: self.logger, caller: caller, method: method)
        let result: Result<JSONValue, ControlError>
        do throws(ControlError) {
            switch method {
            case "session.kick": result = .success(try await self.kickSessions(params, audit: audit))
            case "user.kick": result = .success(try await self.kickUser(params, audit: audit))
            case "user.disable": result = .success(try await self.setDisabled(true, params, audit: audit))
            case "user.enable": result = .success(try await self.setDisabled(false, params, audit: audit))
            case "user.passwd": result = .success(try await self.setPassword(params, audit: audit))
            case "user.delete": result = .success(try await self.deleteUser(params, audit: audit))
            case "user.import": result = .success(try await self.importSeed(audit: audit))
            case "broadcast": result = .success(try self.broadcast(params, audit: audit))
            case "config.reload": result = .success(try await self.reloadConfig(audit: audit))
            default: throw ControlError.methodNotFound(method)
            }
        } catch {
            if error.code != ControlError.Code.methodNotFound { audit.failed(error) }
            throw error
        }
        audit.done()
        return try result.get()
    }

    // MARK: Reading

    func status() -> JSONValue {
        let counts = self.server.hub.counts
        return .object([
            "sessions": .int(counts.sessions),
            "users_online": .int(counts.users),
            "connections": .int(self.server.connectionCount),
            "redis": .string(self.server.store.isHealthy ? "up" : "down"),
            "uptime_seconds": .int(Int(Date().timeIntervalSince(self.startedAt))),
            "pid": .int(Int(ProcessInfo.processInfo.processIdentifier)),
        ])
    }

    /// Totals over the live sessions: what an operator watches for load.
    func stats() -> JSONValue {
        let sessions = self.server.hub.sessions
        let counts = self.server.hub.counts
        let connections = self.server.connectionCount
        return .object([
            "sessions": .int(counts.sessions),
            "users_online": .int(counts.users),
            "connections": .int(connections),
            "connections_not_logged_in": .int(max(0, connections - counts.sessions)),
            "messages_in": .int(sessions.reduce(0) { $0 + $1.stats.received }),
            "messages_out": .int(sessions.reduce(0) { $0 + $1.stats.sent }),
            "redis": .string(self.server.store.isHealthy ? "up" : "down"),
            "uptime_seconds": .int(Int(Date().timeIntervalSince(self.startedAt))),
        ])
    }

    func listSessions(_ params: Params) throws(ControlError) -> JSONValue {
        let user = try params.optionalInt("user_id")
        // A closed session leaves the registry a moment after it closes: hide it already.
        let sessions = (user.map { self.server.hub.sessions(of: $0) } ?? self.server.hub.sessions).filter(\.isLive)
        let now = Self.nowMillis()
        let sorted = sessions.sorted { ($0.connectedAt, $0.id.rawValue) < ($1.connectedAt, $1.id.rawValue) }
        return .object(["sessions": .array(sorted.map { Self.json($0, now: now) })])
    }

    func onlineUsers() -> JSONValue {
        let byUser = Dictionary(grouping: self.server.hub.sessions.filter(\.isLive), by: \.user.id)
        let users = byUser.keys.sorted().compactMap { id -> JSONValue? in
            guard let sessions = byUser[id], let user = sessions.first?.user else { return nil }
            return .object(["user_id": .int(id), "username": .string(user.username), "sessions": .int(sessions.count)])
        }
        return .object(["users": .array(users)])
    }

    func getUser(_ params: Params) async throws(ControlError) -> JSONValue {
        let id = try params.userID()
        guard let user = try await self.store(id: id, { (store: ChatStore) async throws(StoreError) in try await store.userSummary(id: id) }) else {
            throw .refused("no user \(id)")
        }
        guard case .object(var fields) = Self.json(user) else { return .null }
        // The hash never leaves chatd; say that it exists without showing it.
        fields["password"] = .string("<redacted>")
        fields["sessions"] = .int(self.server.hub.sessions(of: id).filter(\.isLive).count)
        return .object(["user": .object(fields)])
    }

    func listUsers(_ params: Params) async throws(ControlError) -> JSONValue {
        let cursor = try params.optionalString("cursor") ?? "0"
        let count = try params.optionalInt("count") ?? 100
        guard (1...10_000).contains(count) else { throw .invalidParams("count must be 1 to 10000") }
        let page = try await self.store { (store: ChatStore) async throws(StoreError) in try await store.listUsers(cursor: cursor, count: count) }
        return .object(["users": .array(page.users.map(Self.json)), "cursor": .string(page.cursor)])
    }

    // MARK: Changing

    func kickSessions(_ params: Params, audit: Audit) async throws(ControlError) -> JSONValue {
        var ids = try params.optionalStringArray("session_ids") ?? []
        if let one = try params.optionalString("session_id") { ids.append(one) }
        guard !ids.isEmpty else { throw .invalidParams("session_ids is required") }
        let reason = try params.reason()
        audit.target = ids.joined(separator: ",")
        audit.reason = reason
        let found = ids.compactMap { self.server.hub.session(SessionID(rawValue: $0)) }
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
        let sessions = self.server.hub.sessions(of: id)
        await self.server.hub.kick(sessions, reason: reason)
        return .object(["user_id": .int(id), "kicked": .array(sessions.map { .string($0.id.rawValue) })])
    }

    /// Disabling refuses new logins first, then ends the live sessions.
    func setDisabled(_ disabled: Bool, _ params: Params, audit: Audit) async throws(ControlError) -> JSONValue {
        let id = try params.userID()
        audit.target = "user \(id)"
        try await self.store(id: id) { (store: ChatStore) async throws(StoreError) in try await store.setDisabled(id: id, disabled) }
        var result: [String: JSONValue] = ["user_id": .int(id), "disabled": .bool(disabled)]
        if disabled {
            let reason = try params.optionalString("reason") ?? "account disabled"
            audit.reason = reason
            let sessions = self.server.hub.sessions(of: id)
            await self.server.hub.kick(sessions, reason: reason)
            result["kicked"] = .array(sessions.map { .string($0.id.rawValue) })
        }
        return .object(result)
    }

    func setPassword(_ params: Params, audit: Audit) async throws(ControlError) -> JSONValue {
        let id = try params.userID()
        audit.target = "user \(id)"
        let password = try params.string("password")
        try await self.store(id: id) { (store: ChatStore) async throws(StoreError) in try await store.setPassword(id: id, password) }
        return .object(["user_id": .int(id)])
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
        let sessions = self.server.hub.sessions(of: id)
        await self.server.hub.kick(sessions, reason: "account deleted")
        let deleted = try await self.store(id: id) { (store: ChatStore) async throws(StoreError) in try await store.deleteUser(id: id) }
        return .object([
            "user_id": .int(id),
            "kicked": .array(sessions.map { .string($0.id.rawValue) }),
            "inbox_deleted": .bool(deleted.inbox),
        ])
    }

    func importSeed(audit: Audit) async throws(ControlError) -> JSONValue {
        audit.target = "seed users"
        let counts = try await self.store { (store: ChatStore) async throws(StoreError) in try await store.importSeedUsers() }
        return .object(["imported": .int(counts.imported), "skipped": .int(counts.skipped)])
    }

    func broadcast(_ params: Params, audit: Audit) throws(ControlError) -> JSONValue {
        let text = try params.string("text")
        guard !text.isEmpty, text.utf8.count <= 4096 else { throw .invalidParams("text must be 1 to 4096 bytes") }
        audit.target = "everyone"
        let recipients = self.server.hub.broadcastNotice(text, ts: Self.nowMillis())
        return .object(["recipients": .int(recipients)])
    }

    func reloadConfig(audit: Audit) async throws(ControlError) -> JSONValue {
        audit.target = "configuration"
        let outcome = await self.reload()
        if let error = outcome.error { throw .refused("reload failed, the running configuration stays: \(error)") }
        return .object(["reloaded": .bool(true), "needs_restart": .array(outcome.needsRestart.map { .string($0) })])
    }

    // MARK: Helpers

    /// Runs a store call with its errors turned into control errors.
    private func store<T>(id: Int? = nil, _ body: (ChatStore) async throws(StoreError) -> T) async throws(ControlError) -> T {
        do throws(StoreError) { return try await body(self.server.store) } catch { throw Self.map(error, id: id) }
    }

    static func map(_ error: StoreError, id: Int?) -> ControlError {
        switch error {
        case .noSuchUser: return .refused(id.map { "no user \($0)" } ?? "no such user")
        case .invalidInput(let why): return .invalidParams(why)
        case .unavailable: return .unavailable("the store is unavailable")
        case .corruptRecord(let why): return .internalError("unreadable record: \(why)")
        case .userExists, .wrongPassword, .userDisabled: return .refused("\(error)")
        }
    }

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

    static func nowMillis() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}
