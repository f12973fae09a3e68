import ChatStore
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

/// The control API's methods. Each takes params and returns a result or a `ControlError`.
public final class ControlAPI: Sendable {
    let server: ChatServer
    let logger: Logger
    let startedAt = Date()

    public init(server: ChatServer, logger: Logger) {
        self.server = server
        self.logger = logger
    }

    public func handle(_ request: ControlRequest, caller: PeerCredentials) async -> ControlResponse {
        do {
            let result = try await self.dispatch(request.method, params: request.params ?? .object([:]), caller: caller)
            return ControlResponse(id: request.id, result: result)
        } catch let error as ControlError {
            return ControlResponse(id: request.id, error: error)
        } catch {
            return ControlResponse(id: request.id, error: .internalError("\(error)"))
        }
    }

    func dispatch(_ method: String, params: JSONValue, caller: PeerCredentials) async throws -> JSONValue {
        switch method {
        case "status": return self.status()
        default: throw ControlError.methodNotFound(method)
        }
    }

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
}
