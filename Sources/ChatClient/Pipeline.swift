// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import NIOCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What the connection hands upward: a decoded message, or a frame this client
/// cannot read (an unknown type from a newer server, say), kept for `--debug`.
public enum Inbound: Sendable, Equatable {
    case message(ServerMessage)
    case unreadable(String)
}

/// Frame bodies → `Inbound`; `ClientMessage` → frames. Decoding errors of one
/// frame do not end the connection: the framing itself is intact.
final class MessageCodec: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = Inbound
    typealias OutboundIn = ClientMessage
    typealias OutboundOut = ByteBuffer

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let body = Self.unwrapInboundIn(data)
        let inbound: Inbound
        do {
            inbound = .message(try ServerMessage.decode(body))
        } catch {
            inbound = .unreadable(error.message)
        }
        context.fireChannelRead(Self.wrapInboundOut(inbound))
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let message = Self.unwrapOutboundIn(data)
        context.write(Self.wrapOutboundOut(message.frame()), promise: promise)
    }
}

/// Keeps the session alive: a `PingMes` whenever nothing was written for the
/// interval (the server closes sessions silent past its idle timeout), and a
/// `PongMes` for every `PingMes` the server sends. Heartbeat frames stop here.
final class HeartbeatHandler: ChannelDuplexHandler {
    typealias InboundIn = Inbound
    typealias InboundOut = Inbound
    typealias OutboundIn = ClientMessage
    typealias OutboundOut = ClientMessage

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch Self.unwrapInboundIn(data) {
        case .message(.ping(let ping)):
            context.writeAndFlush(Self.wrapOutboundOut(.pong(ping)), promise: nil)
        case .message(.pong):
            break
        default:
            context.fireChannelRead(data)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .write {
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            context.writeAndFlush(Self.wrapOutboundOut(.ping(PingMes(ts: now))), promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}
