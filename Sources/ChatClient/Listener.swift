// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import NIOCore

/// `chat listen`'s session: logs in and hands on every message; after a dropped
/// connection or a kick that allows it, logs in again with the resume token (with
/// backoff) and hands on what was missed, nothing twice.
public struct Listener {
    public enum Event {
        /// Logged in, the first time.
        case loggedIn(LoginResMes)
        /// A message not handed on before.
        case message(ServerMessage)
        /// The session ended and the listener is coming back: once an outage, with the
        /// kick that ended it, if one did.
        case lost(why: String?, kick: KickedMes?)
        /// Logged in again; what was missed meanwhile (without what was handed on before).
        case reconnected(OfflineMes)
    }

    /// How one connection ended, when it did not fail.
    enum Ending {
        case closed
        case kicked(KickedMes)
        case busy(LoginResMes)
    }

    private let server: ServerAddress
    private let tls: ClientTLS?
    private let reconnect: Bool
    private let debug: (@Sendable (String) -> Void)?
    private var resume: Resume
    private var seen = SeenMessages()
    private var backoff = Backoff()
    private var loggedInOnce = false
    /// The current outage was handed on as `.lost`: one line however many attempts fail.
    private var outageAnnounced = false

    /// With `reconnect` false, the end of the connection ends the run (the behaviour
    /// before reconnecting existed: 69 for a drop, 1 for any kick).
    public init(
        server: ServerAddress,
        tls: ClientTLS?,
        user: Int,
        password: String,
        reconnect: Bool,
        debug: (@Sendable (String) -> Void)? = nil
    ) {
        (self.server, self.tls, self.reconnect, self.debug) = (server, tls, reconnect, debug)
        self.resume = Resume(user: user, password: password)
    }

    /// Runs until a failure ends it: the first connection or login failing, a refused
    /// login with the token, a kick that does not allow coming back (1), or with
    /// `reconnect` off the end of the connection.
    public mutating func run(_ handle: (Event) -> Void) async throws(ChatFailure) -> Never {
        while true {
            let why: String?
            var kick: KickedMes?
            do {
                switch try await self.connection(handle) {
                case .closed:
                    guard self.reconnect else { throw ChatFailure(.unavailable, "connection closed by the server") }
                    why = nil
                case .kicked(let k):
                    guard self.reconnect, Resume.mayReconnect(after: k) else { throw ChatFailure(.refused, "") }
                    (why, kick) = (k.reason, k)
                case .busy(let reply):
                    why = "login refused (\(reply.code))" + (reply.error.isEmpty ? "" : ": \(reply.error)")
                }
            } catch let failure as ChatFailure {
                guard self.loggedInOnce, self.reconnect, Resume.retryable(failure) else { throw failure }
                why = failure.message
            } catch {
                let failure = ChatFailure(.unavailable, "connection lost: \(Connection.describe(error))")
                guard self.loggedInOnce, self.reconnect else { throw failure }
                why = failure.message
            }
            if !self.outageAnnounced {
                handle(.lost(why: why, kick: kick))
                self.outageAnnounced = true
            }
            try? await Task.sleep(for: self.backoff.next())
            if Task.isCancelled { throw ChatFailure(.interrupted, "") }
        }
    }

    /// One connection: logs in, then hands on messages until it ends.
    private mutating func connection(_ handle: (Event) -> Void) async throws -> Ending {
        try await Connection.with(self.server, tls: self.tls) { inbound, outbound in
            var session = Session(inbound: inbound, outbound: outbound, debug: self.debug)
            try await session.send(.login(self.resume.login))
            let reply = try await session.wait(for: "login") { m -> LoginResMes? in
                if case .loginResult(let r) = m { return r }
                return nil
            }
            if self.loggedInOnce && Resume.retryable(reply) { return .busy(reply) }
            if let failure = ChatFailure.login(reply, user: self.resume.user) { throw failure }
            self.resume.accepted(reply)
            self.backoff.reset()
            let resuming = self.loggedInOnce
            if !self.loggedInOnce { handle(.loggedIn(reply)) }
            (self.loggedInOnce, self.outageAnnounced) = (true, false)
            var awaitingMissed = resuming  // the OfflineMes comes right after the login reply
            while let message = try await session.next() {
                if case .kicked(let kick) = message {
                    if !(self.reconnect && Resume.mayReconnect(after: kick)) { handle(.message(message)) }
                    return .kicked(kick)
                }
                guard let message = self.seen.unseen(message) else { continue }
                if awaitingMissed {
                    awaitingMissed = false
                    if case .offline(let missed) = message {
                        handle(.reconnected(missed))
                        continue
                    }
                    handle(.reconnected(OfflineMes(messages: [])))  // a server that sends none
                }
                handle(.message(message))
            }
            return .closed
        }
    }
}
