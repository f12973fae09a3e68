// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

public enum TestChatClientError: Error, Sendable {
    case closed
    /// Closed after an error notice that a `next(pick)` skipped: usually the reason.
    case closedAfter(ErrorMes)
    case timedOut(waitingFor: String)
    case undecodable(ProtocolError)
}

/// A chat client for tests: sends messages or raw bytes, and reads the server's
/// messages one by one in the order they arrived.
public final class TestChatClient: Sendable {
    public let channel: any Channel
    private let inbox: Inbox

    /// Connects in plain TCP, or with `tls` inside TLS (`serverHostname` for SNI and the
    /// name check; nil checks the certificate's IP addresses against `host`).
    /// A failed handshake surfaces as the error of the first `next()`. `source` binds the
    /// client's end to that address (127.0.0.2: another loopback peer, for per-address limits).
    public static func connect(
        host: String = "127.0.0.1",
        port: Int,
        source: String? = nil,
        tls: NIOSSLContext? = nil,
        serverHostname: String? = nil
    ) async throws -> TestChatClient {
        let inbox = Inbox()
        var bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        if let source { bootstrap = bootstrap.bind(to: try SocketAddress(ipAddress: source, port: 0)) }
        let channel =
            try await bootstrap
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(
                            NIOSSLClientHandler(context: tls, serverHostname: serverHostname)
                        )
                    }
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(FrameDecoder(maxFrameSize: 16 << 20))
                    )
                    try channel.pipeline.syncOperations.addHandler(Collector(inbox: inbox))
                }
            }
            .connect(host: host, port: port).get()
        return TestChatClient(channel: channel, inbox: inbox)
    }

    /// Connects inside TLS, trusting only the CA certificates in `caFile`.
    public static func connect(host: String = "127.0.0.1", port: Int, caFile: String) async throws -> TestChatClient {
        try await connect(host: host, port: port, tls: TestCertificates.clientContext(trusting: caFile))
    }

    private init(channel: any Channel, inbox: Inbox) {
        self.channel = channel
        self.inbox = inbox
    }

    public func send(_ message: ClientMessage) async throws {
        try await self.channel.writeAndFlush(message.frame())
    }

    public func sendRaw(_ bytes: ByteBuffer) async throws {
        try await self.channel.writeAndFlush(bytes)
    }

    /// The next message from the server. Throws `.closed` when the server closed the connection.
    public func next(timeout: Duration = .seconds(10)) async throws -> ServerMessage {
        let timer = Task { [channel] in
            try await Task.sleep(for: timeout)
            channel.pipeline.fireErrorCaught(TestChatClientError.timedOut(waitingFor: "a server message"))
        }
        defer { timer.cancel() }
        return try await self.inbox.next()
    }

    /// The next message `pick` accepts, skipping others (presence notices, fan-out).
    /// A close after a skipped error notice throws `.closedAfter` with that notice.
    public func next<T: Sendable>(_ pick: (ServerMessage) -> T?, timeout: Duration = .seconds(10)) async throws -> T {
        var skippedError: ErrorMes?
        while true {
            let message: ServerMessage
            do {
                message = try await self.next(timeout: timeout)
            } catch TestChatClientError.closed {
                throw skippedError.map(TestChatClientError.closedAfter) ?? .closed
            }
            if let value = pick(message) { return value }
            if case .error(let error) = message { skippedError = error }
        }
    }

    /// Waits until the server closes the connection; returns what arrived before.
    public func collectUntilClosed(timeout: Duration = .seconds(10)) async throws -> [ServerMessage] {
        var messages: [ServerMessage] = []
        while true {
            do { messages.append(try await self.next(timeout: timeout)) } catch TestChatClientError.closed {
                return messages
            }
        }
    }

    public func close() async {
        try? await self.channel.close()
    }

    // MARK: Conveniences

    public func register(_ id: Int, name: String, password: String) async throws -> RegisterResMes {
        try await self.send(.register(RegisterMes(user: User(userid: id, userpwd: password, username: name))))
        return try await self.next { if case .registerResult(let r) = $0 { r } else { nil } }
    }

    /// Logs in and returns the `LoginResMes` and, on success, the `OfflineMes` that follows.
    public func login(_ id: Int, password: String) async throws -> (LoginResMes, OfflineMes?) {
        try await self.send(.login(LoginMes(userid: id, userpwd: password)))
        let result = try await self.next { if case .loginResult(let r) = $0 { r } else { nil } }
        guard result.code == StatusCode.ok else { return (result, nil) }
        let offline = try await self.next { if case .offline(let o) = $0 { o } else { nil } }
        return (result, offline)
    }
}

/// Messages received and not yet read; at most one reader waits at a time.
private final class Inbox: Sendable {
    private struct State {
        var messages: [ServerMessage] = []
        var end: (any Error)?
        var waiter: CheckedContinuation<ServerMessage, any Error>?
    }
    private let state = NIOLockedValueBox(State())

    func push(_ message: ServerMessage) {
        let waiter = self.state.withLockedValue { state -> CheckedContinuation<ServerMessage, any Error>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.messages.append(message)
            return nil
        }
        waiter?.resume(returning: message)
    }

    func finish(_ error: any Error) {
        let waiter = self.state.withLockedValue { state -> CheckedContinuation<ServerMessage, any Error>? in
            if state.end == nil { state.end = error }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(throwing: error)
    }

    func next() async throws -> ServerMessage {
        try await withCheckedThrowingContinuation { continuation in
            let result = self.state.withLockedValue { state -> Result<ServerMessage, any Error>? in
                if !state.messages.isEmpty { return .success(state.messages.removeFirst()) }
                if let end = state.end { return .failure(end) }
                state.waiter = continuation
                return nil
            }
            if let result { continuation.resume(with: result) }
        }
    }
}

private final class Collector: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    let inbox: Inbox

    init(inbox: Inbox) {
        self.inbox = inbox
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        do {
            self.inbox.push(try ServerMessage.decode(Self.unwrapInboundIn(data)))
        } catch {
            self.inbox.finish(TestChatClientError.undecodable(error))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.inbox.finish(TestChatClientError.closed)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.inbox.finish(error)
        context.close(promise: nil)
    }
}
