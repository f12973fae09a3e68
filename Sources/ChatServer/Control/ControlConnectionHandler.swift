import ControlProtocol
import Foundation
import Logging
import NIOCore
import NIOPosix

/// One control connection: the peer is checked against the admin policy first
/// (a refused peer gets one "permission denied" line and is closed), then each
/// line is a JSON-RPC request, answered in order, one line per request.
final class ControlConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let api: ControlAPI
    let policy: AdminPolicyBox
    let logger: Logger
    /// The admitted caller; failed when the peer is refused.
    private var caller: EventLoopFuture<PeerCredentials>?
    /// Completes when the latest request has been answered: replies keep request order.
    private var tail: EventLoopFuture<Void>?

    init(api: ControlAPI, policy: AdminPolicyBox, logger: Logger) {
        self.api = api
        self.policy = policy
        self.logger = logger
    }

    func channelActive(context: ChannelHandlerContext) {
        _ = self.admission(context.channel)
        context.fireChannelActive()
    }

    private func admission(_ channel: any Channel) -> EventLoopFuture<PeerCredentials> {
        if let caller = self.caller { return caller }
        let caller = Self.admit(channel, policy: self.policy.current, logger: self.logger)
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
        let caller = self.admission(channel)
        let previous = self.tail ?? channel.eventLoop.makeSucceededVoidFuture()
        self.tail = previous.flatMap { caller }.flatMap { caller in
            switch request {
            case .failure(let error):
                return Self.reply(ControlResponse(id: nil, error: error), on: channel)
            case .success(let request):
                return channel.eventLoop.makeFutureWithTask {
                    await api.handle(request, caller: caller)
                }.flatMap { Self.reply($0, on: channel) }
            }
        }
    }

    /// The write's future; a peer that went away mid-request just fails it.
    @discardableResult
    private static func reply(_ response: ControlResponse, on channel: any Channel) -> EventLoopFuture<Void> {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var data = (try? encoder.encode(response)) ?? Data(#"{"jsonrpc":"2.0","error":{"code":-32603,"message":"encoding failed"}}"#.utf8)
        data.append(UInt8(ascii: "\n"))
        return channel.writeAndFlush(ByteBuffer(bytes: data)).recover { _ in }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    /// The peer's credentials when the policy admits them; the group database is
    /// consulted (off the event loop) only when uid and primary gid do not decide.
    static func admit(_ channel: any Channel, policy: AdminPolicy, logger: Logger) -> EventLoopFuture<PeerCredentials> {
        let loop = channel.eventLoop
        @Sendable func refuse(_ peer: PeerCredentials) -> EventLoopFuture<PeerCredentials> {
            logger.warning("control connection refused: not an administrator", metadata: [
                "chat_event": "admin_refused", "peer_uid": "\(peer.uid)", "peer_gid": "\(peer.gid)", "peer_pid": "\(peer.pid)",
            ])
            return loop.makeFailedFuture(ControlError.permissionDenied())
        }
        return PeerCredentials.of(channel).flatMap { peer -> EventLoopFuture<PeerCredentials> in
            if policy.allows(peer, groups: []) { return loop.makeSucceededFuture(peer) }
            guard policy.checksGroups else { return refuse(peer) }
            return NIOThreadPool.singleton.runIfActive(eventLoop: loop) {
                UserDatabase.groups(ofUID: peer.uid, primary: peer.gid)
            }.flatMap { groups in
                policy.allows(peer, groups: groups) ? loop.makeSucceededFuture(peer) : refuse(peer)
            }
        }
    }
}

extension PeerCredentials {
    /// SO_PEERCRED of a Unix-domain connection.
    static func of(_ channel: any Channel) -> EventLoopFuture<PeerCredentials> {
        guard let socket = channel as? any SocketOptionProvider else {
            return channel.eventLoop.makeFailedFuture(ControlError.internalError("not a socket"))
        }
        let credentials: EventLoopFuture<UCred> = socket.unsafeGetSocketOption(level: .socket, name: .init(rawValue: SO_PEERCRED))
        return credentials.map { PeerCredentials(pid: $0.pid, uid: $0.uid, gid: $0.gid) }
    }
}

/// `struct ucred` of <sys/socket.h>, which Glibc only exposes under _GNU_SOURCE.
private struct UCred: Sendable {
    var pid: Int32 = 0
    var uid: UInt32 = 0
    var gid: UInt32 = 0
}
