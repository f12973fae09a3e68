// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import NIOCore

/// Request/reply over an open connection, for the one-shot commands: send a
/// request, then read until its reply, passing everything else to `other`.
public struct Session {
    private var iterator: NIOAsyncChannelInboundStream<Inbound>.AsyncIterator
    public let outbound: NIOAsyncChannelOutboundWriter<ClientMessage>
    /// Where unreadable frames are reported; nil ignores them (non-debug mode).
    public var debug: (@Sendable (String) -> Void)?

    public init(
        inbound: NIOAsyncChannelInboundStream<Inbound>,
        outbound: NIOAsyncChannelOutboundWriter<ClientMessage>,
        debug: (@Sendable (String) -> Void)? = nil
    ) {
        self.iterator = inbound.makeAsyncIterator()
        self.outbound = outbound
        self.debug = debug
    }

    /// The next readable message; nil when the server closed the connection.
    public mutating func next() async throws(ChatFailure) -> ServerMessage? {
        while true {
            let inbound: Inbound?
            do {
                inbound = try await self.iterator.next()
            } catch {
                throw ChatFailure(.unavailable, "connection lost: \(Connection.describe(error))")
            }
            switch inbound {
            case nil: return nil
            case .message(let m): return m
            case .unreadable(let why): self.debug?("ignored frame: \(why)")
            }
        }
    }

    public func send(_ message: ClientMessage) async throws(ChatFailure) {
        do {
            try await self.outbound.write(message)
        } catch {
            throw ChatFailure(.unavailable, "connection lost: \(Connection.describe(error))")
        }
    }

    /// Reads until `match` accepts a message. An `ErrorMes` or a kick ends the wait
    /// as a refusal (1); a closed connection as unavailable (69).
    public mutating func wait<T>(
        for what: String,
        other: (ServerMessage) -> Void = { _ in },
        _ match: (ServerMessage) -> T?
    ) async throws(ChatFailure) -> T {
        while let message = try await self.next() {
            if let result = match(message) { return result }
            switch message {
            case .error(let e): throw .refused(code: e.code, error: e.error, what: what)
            case .kicked(let k):
                throw ChatFailure(.refused, "kicked by the server" + (k.reason.isEmpty ? "" : ": \(k.reason)"))
            default: other(message)
            }
        }
        throw ChatFailure(.unavailable, "connection closed by the server while waiting for the \(what) reply")
    }

    /// Logs in; 403 and 500 are bad credentials (3), other refusals 1. Returns the
    /// reply; the `OfflineMes` the server sends next is left for the caller to read.
    public mutating func login(user: Int, password: String) async throws(ChatFailure) -> LoginResMes {
        try await self.send(.login(LoginMes(userid: user, userpwd: password)))
        let reply = try await self.wait(for: "login") { m -> LoginResMes? in
            if case .loginResult(let r) = m { return r }
            return nil
        }
        if let failure = ChatFailure.login(reply, user: user) { throw failure }
        return reply
    }

    /// Orderly goodbye; a connection that is already gone is fine here.
    public func logout() async {
        try? await self.outbound.write(.logout)
        self.outbound.finish()
    }
}
