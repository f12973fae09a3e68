// SPDX-License-Identifier: Apache-2.0
import ControlProtocol
import NIOCore
import NIOPosix

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One JSON-RPC call over the control socket: connect, send a line, read a line.
struct ControlClient: Sendable {
    let socketPath: String
    /// chatd answers at once or not at all; a hung daemon must not hang scripts.
    var timeout: TimeAmount = .seconds(60)

    /// A method's typed result, and the JSON it came as (what `--json` prints, as it is).
    func call<M: ControlMethod>(_ method: M.Type, _ params: M.Params) async throws(ChatctlError) -> Reply<M.Result> {
        let request: ControlRequest
        do {
            let json = try JSONValue(encoding: params)
            request = ControlRequest(id: .int(1), method: M.name, params: json)
        } catch {
            throw .refused("cannot encode the params of \(M.name): \(error)")
        }
        let json = try await self.call(request)
        do {
            let result = try json.decoded(as: M.Result.self)
            return Reply(result: result, json: json)
        } catch {
            throw .unreachable("chatd sent a \(M.name) result that is not what chatctl knows: \(error)")
        }
    }

    func call<M: ControlMethod>(_ method: M.Type) async throws(ChatctlError) -> Reply<M.Result>
    where M.Params == NoParams {
        try await self.call(method, NoParams())
    }

    private func call(_ request: ControlRequest) async throws(ChatctlError) -> JSONValue {
        let line: ByteBuffer
        do {
            line = try await self.exchange(request)
        } catch let error as ChatctlError {
            throw error
        } catch {
            throw Self.describe(error, path: self.socketPath)
        }
        let response: ControlResponse
        do {
            response = try JSONDecoder().decode(ControlResponse.self, from: Data(line.readableBytesView))
        } catch {
            throw .unreachable("chatd sent an answer that is not JSON-RPC")
        }
        if let error = response.error {
            if error.code == ControlError.Code.permissionDenied {
                throw .permissionDenied(
                    "permission denied: chatd admits only root and its administrators (admin_group, admin_users)"
                )
            }
            throw .refused(error.message)
        }
        return response.result ?? .null
    }

    private func exchange(_ request: ControlRequest) async throws -> ByteBuffer {
        let group = MultiThreadedEventLoopGroup.singleton
        let loop = group.any()
        let reply = loop.makePromise(of: ByteBuffer.self)
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: loop)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ReplyLineHandler(reply: reply))
                    }
                }
                .connect(unixDomainSocketPath: self.socketPath).get()
        } catch {
            reply.fail(error)  // never connected: nobody will complete it
            throw error
        }
        let timer = loop.scheduleTask(in: self.timeout) {
            reply.fail(
                ChatctlError.unreachable("chatd did not answer within \(self.timeout.nanoseconds / 1_000_000_000) s")
            )
        }
        defer {
            timer.cancel()
            channel.close(promise: nil)
        }
        var data = try JSONEncoder().encode(request)
        data.append(UInt8(ascii: "\n"))
        // A refused peer may be closed before the write lands: the reply (the refusal) still counts.
        channel.writeAndFlush(ByteBuffer(bytes: data), promise: nil)
        return try await reply.futureResult.get()
    }

    /// Socket errors as the administrator reads them.
    static func describe(_ error: any Error, path: String) -> ChatctlError {
        if let error = error as? IOError {
            switch error.errnoCode {
            case EACCES, EPERM: return .permissionDenied("cannot open \(path): permission denied")
            case ENOENT: return .unreachable("chatd is not running: no control socket at \(path)")
            case ECONNREFUSED: return .unreachable("chatd is not running: nothing listens on \(path)")
            default: return .unreachable("cannot reach chatd at \(path): \(error.description)")
            }
        }
        return .unreachable("cannot reach chatd at \(path): \(error)")
    }
}

/// A typed result and the JSON it was decoded from.
struct Reply<Result: Sendable>: Sendable {
    var result: Result
    var json: JSONValue
}

/// Collects bytes up to the first newline and completes `reply` with that line.
private final class ReplyLineHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    let reply: EventLoopPromise<ByteBuffer>
    private var pending: ByteBuffer?

    init(reply: EventLoopPromise<ByteBuffer>) { self.reply = reply }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = Self.unwrapInboundIn(data)
        if self.pending == nil { self.pending = bytes } else { self.pending!.writeBuffer(&bytes) }
        guard let buffer = self.pending, let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n"))
        else { return }
        self.reply.succeed(buffer.getSlice(at: buffer.readerIndex, length: newline - buffer.readerIndex)!)
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.reply.fail(ChatctlError.unreachable("chatd closed the connection without answering"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.reply.fail(ControlClient.describe(error, path: "the control socket"))
        context.close(promise: nil)
    }
}
