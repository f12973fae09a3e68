// SPDX-License-Identifier: Apache-2.0

import ChatProtocol
import NIOCore
import NIOEmbedded
import Testing

@testable import ChatClient

/// The connection's handlers on an embedded channel: frames in and out, heartbeats.
@Suite struct PipelineTests {
    func channel() throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandlers([
            ByteToMessageHandler(FrameDecoder()), MessageCodec(), HeartbeatHandler(),
        ])
        return channel
    }

    @Test func framesSplitAndCoalescedBecomeMessages() throws {
        let channel = try self.channel()
        let a = ServerMessage.sms(SmsMes(content: "one", userid: 1, username: "a"))
        let b = ServerMessage.kicked(KickedMes(reason: "bye"))
        var bytes = a.frame()
        var second = b.frame()
        bytes.writeBuffer(&second)
        // Coalesced frames, delivered in two reads cut mid-frame.
        let head = bytes.readSlice(length: 7)!
        try channel.writeInbound(head)
        #expect(try channel.readInbound(as: Inbound.self) == nil)
        try channel.writeInbound(bytes)
        #expect(try channel.readInbound(as: Inbound.self) == .message(a))
        #expect(try channel.readInbound(as: Inbound.self) == .message(b))
        _ = try channel.finish()
    }

    @Test func unknownTypesAreReportedNotFatal() throws {
        let channel = try self.channel()
        try channel.writeInbound(Envelope(type: "FutureMes", data: "{}").frame())
        guard case .unreadable(let why) = try channel.readInbound(as: Inbound.self) else {
            Issue.record("expected an unreadable frame")
            return
        }
        #expect(why.contains("FutureMes"))
        // The stream stays usable: the next frame still decodes.
        try channel.writeInbound(ServerMessage.kicked(KickedMes(reason: "x")).frame())
        #expect(try channel.readInbound(as: Inbound.self) == .message(.kicked(KickedMes(reason: "x"))))
        _ = try channel.finish()
    }

    @Test func clientMessagesAreFramed() throws {
        let channel = try self.channel()
        try channel.writeOutbound(ClientMessage.sms(SmsMes(content: "hi")))
        #expect(try channel.readOutbound(as: ByteBuffer.self) == ClientMessage.sms(SmsMes(content: "hi")).frame())
        _ = try channel.finish()
    }

    @Test func writeIdlenessSendsAPing() throws {
        let channel = try self.channel()
        channel.pipeline.fireUserInboundEventTriggered(IdleStateHandler.IdleStateEvent.write)
        var frame = try #require(try channel.readOutbound(as: ByteBuffer.self))
        frame.moveReaderIndex(forwardBy: 4)
        guard case .ping = try ClientMessage.decode(frame) else {
            Issue.record("expected a PingMes")
            return
        }
        _ = try channel.finish()
    }

    @Test func serverPingsAreAnsweredAndHeartbeatsSwallowed() throws {
        let channel = try self.channel()
        try channel.writeInbound(ServerMessage.ping(PingMes(ts: 42)).frame())
        try channel.writeInbound(ServerMessage.pong(PingMes(ts: 1)).frame())
        #expect(try channel.readInbound(as: Inbound.self) == nil)
        #expect(try channel.readOutbound(as: ByteBuffer.self) == ClientMessage.pong(PingMes(ts: 42)).frame())
        _ = try channel.finish()
    }
}
