// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import ChatStore
import Logging
import NIOCore

/// The chat's rules: what each client message does, given who sent it. Runs off the
/// event loop (it awaits Redis); everything it touches is thread-safe.
final class RequestRouter: Sendable {
    let store: ChatStore
    let hub: Hub
    let configuration: ConfigurationBox
    let logger: Logger
    /// Requests and session ends still running; shutdown waits for them.
    let inFlight = InFlight()
    let groupDispatches = GroupDispatches()
    /// Failed logins by (user, source), on this node; failed logins and registrations
    /// by source, on every node (counted in Redis).
    let loginBackoff: LoginBackoff
    let loginFailures: SharedThrottle
    let registrations: SharedThrottle

    init(store: ChatStore, hub: Hub, configuration: ConfigurationBox, logger: Logger) {
        self.store = store
        self.hub = hub
        self.configuration = configuration
        self.logger = logger
        self.loginBackoff = LoginBackoff(cap: configuration.current.loginWindow)
        self.loginFailures = SharedThrottle("login-failures", window: configuration.current.loginWindow, store: store)
        self.registrations = SharedThrottle("register", window: .hours(1), store: store)
    }

    /// The connection behind a request.
    struct Origin: Sendable {
        var session: SessionID
        var channel: any Channel
        var peer: String
        /// The peer's source (its IPv4 address or IPv6 /64, see `SourceAddress`), for
        /// per-address limits.
        var address: String
        var connectedAt: Int64
        var stats: SessionStats
        var user: UserIdentity?
    }

    func handle(_ message: ClientMessage, from origin: Origin) async -> RequestOutcome {
        await self.inFlight.run { await self.route(message, from: origin) }
    }

    private func route(_ message: ClientMessage, from origin: Origin) async -> RequestOutcome {
        switch message {
        case .register(let request): return await self.register(request, from: origin)
        case .login(let request): return await self.login(request, from: origin)
        case .ping(let ping): return .reply(.pong(ping))
        case .pong: return RequestOutcome()
        case .logout:
            // The session's end revokes its tokens.
            if let user = origin.user { await self.recordSeenAtLogout(of: user, session: origin.session) }
            return RequestOutcome(close: true)
        case .sms, .privateMessage, .onlineUsers, .history:
            guard let user = origin.user else {
                return .reply(.error(ErrorMes(code: StatusCode.notLoggedIn, error: "log in first")))
            }
            switch message {
            case .sms(let sms): return await self.groupMessage(sms, from: user, origin: origin)
            case .privateMessage(let pm): return await self.privateMessage(pm, from: user, origin: origin)
            case .onlineUsers: return self.onlineUsers()
            case .history(let request): return await self.history(request, for: user)
            default: return RequestOutcome()
            }
        }
    }

    func log(_ event: String, _ origin: Origin, user: Int? = nil) -> Logger {
        var logger = self.logger
        logger[metadataKey: "chat_event"] = .string(event)
        logger[metadataKey: "chat_session_id"] = .string(origin.session.rawValue)
        logger[metadataKey: "chat_peer"] = .string(origin.peer)
        if let user = user ?? origin.user?.id { logger[metadataKey: "chat_user_id"] = .stringConvertible(user) }
        return logger
    }
}
