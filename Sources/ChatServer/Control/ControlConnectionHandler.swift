import Foundation
import Logging
import NIOCore
import NIOPosix

/// One control connection: lines in, JSON-RPC requests to the API, one line out per request.
final class ControlConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let api: ControlAPI
    let logger: Logger
    private var caller: EventLoopFuture<PeerCredentials>?

    init(api: ControlAPI, logger: Logger) {
        self.api = api
        self.logger = logger
    }

    func channelActive(context: ChannelHandlerContext) {
        self.caller = PeerCredentials.of(context.channel)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let line = Self.unwrapInboundIn(data)
        let channel = context.channel
        let request: ControlRequest
        do {
            request = try JSONDecoder().decode(ControlRequest.self, from: Data(line.readableBytesView))
        } catch {
            Self.reply(ControlResponse(id: nil, error: .parseError("not a JSON-RPC request")), on: channel)
            return
        }
        let api = self.api
        let caller = self.caller ?? PeerCredentials.of(channel)
        caller.whenComplete { credentials in
            Task {
                let response: ControlResponse
                switch credentials {
                case .success(let caller): response = await api.handle(request, caller: caller)
                case .failure: response = ControlResponse(id: request.id, error: .internalError("cannot read peer credentials"))
                }
                Self.reply(response, on: channel)
            }
        }
    }

    private static func reply(_ response: ControlResponse, on channel: any Channel) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var data = (try? encoder.encode(response)) ?? Data(#"{"jsonrpc":"2.0","error":{"code":-32603,"message":"encoding failed"}}"#.utf8)
        data.append(UInt8(ascii: "\n"))
        channel.writeAndFlush(ByteBuffer(bytes: data), promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
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
