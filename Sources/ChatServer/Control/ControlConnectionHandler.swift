// SPDX-License-Identifier: Apache-2.0
import ControlProtocol
import Foundation
import Logging
import NIOCore
import NIOPosix

/// One control connection: the peer is checked against the admin policy first
/// (a refused peer gets one "permission denied" line and is closed), then each
/// line is a JSON-RPC request, answered in order, one line per request. A connection
/// that sends no request for `control_idle_timeout` (and waits for no answer) is closed.
final class ControlConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let api: ControlAPI
    let policy: AdminPolicyBox
    let connections: ControlConnections
    let logger: Logger
    /// The admitted caller; failed when the peer is refused.
    private var caller: EventLoopFuture<PeerCredentials>?
    /// Completes when the latest request has been answered: replies keep request order.
    private var tail: EventLoopFuture<Void>?
    /// Requests read and not answered yet: a connection waiting for an answer is not idle.
    private var unanswered = 0
    private var lastActivity = NIODeadline.now()
    private var idleTimer: Scheduled<Void>?

    init(api: ControlAPI, policy: AdminPolicyBox, connections: ControlConnections, logger: Logger) {
        self.api = api
        self.policy = policy
        self.connections = connections
        self.logger = logger
    }

    func channelActive(context: ChannelHandlerContext) {
        _ = self.admission(context.channel)
        self.lastActivity = .now()
        self.armIdleTimer(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.idleTimer?.cancel()
        self.connections.remove(context.channel)
        context.fireChannelInactive()
    }

    private func admission(_ channel: any Channel) -> EventLoopFuture<PeerCredentials> {
        if let caller = self.caller { return caller }
        let box = self.policy
        let connections = self.connections
        let logger = self.logger
        let policy = box.current
        let caller = Self.admit(channel, policy: policy, logger: logger).flatMap { peer in
            connections.admitted(channel, as: peer)
            // A reload while we looked: its check of the open connections may have
            // missed this one, so decide again under the policy now in force.
            let now = box.current
            guard now != policy else { return channel.eventLoop.makeSucceededFuture(peer) }
            return Self.admit(channel, policy: now, logger: logger)
        }
        caller.whenFailure { _ in
            Self.reply(ControlResponse(id: nil, error: .permissionDenied()), on: channel).whenComplete { _ in
                channel.close(promise: nil)
            }
        }
        self.caller = caller
        return caller
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let line = Self.unwrapInboundIn(data)
        let channel = context.channel
        let api = self.api
        let request: Result<ControlRequest, ControlError>
        do {
            request = .success(try JSONDecoder().decode(ControlRequest.self, from: Data(line.readableBytesView)))
        } catch {
            // Never echo the line: it may hold a password.
            request = .failure(.parseError("not a JSON-RPC request"))
        }
        self.unanswered += 1
        self.lastActivity = .now()
        let caller = self.admission(channel)
        let previous = self.tail ?? channel.eventLoop.makeSucceededVoidFuture()
        let answered = previous.flatMap { caller }.flatMap { caller in
            switch request {
            case .failure(let error):
                return Self.reply(ControlResponse(id: nil, error: error), on: channel)
            case .success(let request):
                return channel.eventLoop.makeFutureWithTask {
                    await api.handle(request, caller: caller)
                }.flatMap { Self.reply($0, on: channel) }
            }
        }
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        answered.whenComplete { _ in
            handler.value.unanswered -= 1
            handler.value.lastActivity = .now()
        }
        self.tail = answered
    }

    /// Checks at the deadline whether the connection has been idle all along: requests
    /// and answers since then move the deadline on.
    private func armIdleTimer(context: ChannelHandlerContext) {
        let timeout = self.api.server.configuration.current.controlIdleTimeout
        guard timeout > .zero else { return }
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        self.idleTimer = context.eventLoop.scheduleTask(deadline: self.lastActivity + timeout) {
            let (handler, context) = bound.value
            guard handler.unanswered == 0, NIODeadline.now() >= handler.lastActivity + timeout else {
                handler.armIdleTimer(context: context)
                return
            }
            let channel = context.channel
            let seconds = timeout.nanoseconds / 1_000_000_000
            Self.reply(ControlResponse(id: nil, error: .refused("closed: no request for \(seconds) s")), on: channel)
                .whenComplete { _ in
                    channel.close(promise: nil)
                }
        }
    }

    /// The write's future; a peer that went away mid-request just fails it.
    @discardableResult
    static func reply(_ response: ControlResponse, on channel: any Channel) -> EventLoopFuture<Void> {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var data =
            (try? encoder.encode(response))
            ?? Data(#"{"jsonrpc":"2.0","error":{"code":-32603,"message":"encoding failed"}}"#.utf8)
        data.append(UInt8(ascii: "\n"))
        return channel.writeAndFlush(ByteBuffer(bytes: data)).recover { _ in }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    /// The peer's credentials when the policy admits them.
    static func admit(_ channel: any Channel, policy: AdminPolicy, logger: Logger) -> EventLoopFuture<PeerCredentials> {
        let loop = channel.eventLoop
        return PeerCredentials.of(channel).flatMap { peer -> EventLoopFuture<PeerCredentials> in
            Self.allows(peer, policy: policy, on: loop).flatMapThrowing { allowed in
                guard allowed else {
                    logger.warning(
                        "control connection refused: not an administrator",
                        metadata: [
                            "chat_event": "admin_refused", "peer_uid": "\(peer.uid)", "peer_gid": "\(peer.gid)",
                            "peer_pid": "\(peer.pid)",
                        ]
                    )
                    throw ControlError.permissionDenied()
                }
                return peer
            }
        }
    }

    /// Whether `policy` admits `peer`; the group database is consulted (on its own
    /// threads) only when uid and primary gid do not decide.
    static func allows(_ peer: PeerCredentials, policy: AdminPolicy, on loop: any EventLoop) -> EventLoopFuture<Bool> {
        if policy.allows(peer, groups: []) { return loop.makeSucceededFuture(true) }
        guard policy.checksGroups else { return loop.makeSucceededFuture(false) }
        return UserDatabase.pool.runIfActive(eventLoop: loop) {
            UserDatabase.groups(ofUID: peer.uid, primary: peer.gid)
        }.map { groups in policy.allows(peer, groups: groups) }
    }
}

extension PeerCredentials {
    /// SO_PEERCRED of a Unix-domain connection.
    static func of(_ channel: any Channel) -> EventLoopFuture<PeerCredentials> {
        guard let socket = channel as? any SocketOptionProvider else {
            return channel.eventLoop.makeFailedFuture(ControlError.internalError("not a socket"))
        }
        let credentials: EventLoopFuture<UCred> = socket.unsafeGetSocketOption(
            level: .socket,
            name: .init(rawValue: SO_PEERCRED)
        )
        return credentials.map { PeerCredentials(pid: $0.pid, uid: $0.uid, gid: $0.gid) }
    }
}

/// `struct ucred` of <sys/socket.h>, which Glibc only exposes under _GNU_SOURCE.
private struct UCred: Sendable {
    var pid: Int32 = 0
    var uid: UInt32 = 0
    var gid: UInt32 = 0
}
