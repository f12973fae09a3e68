// SPDX-License-Identifier: Apache-2.0
import NIOCore

/// Translates inbound bytes into `RESPValue`s; all the logic lives in `RESPParser`.
struct RESPDecoder: ByteToMessageDecoder {
    typealias InboundOut = RESPValue

    let parser: RESPParser

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        switch try self.parser.parse(&buffer) {
        case .value(let value):
            context.fireChannelRead(Self.wrapInboundOut(value))
            return .continue
        case .needMoreData:
            return .needMoreData
        }
    }

    mutating func decodeLast(
        context: ChannelHandlerContext,
        buffer: inout ByteBuffer,
        seenEOF: Bool
    ) throws -> DecodingState {
        // A truncated reply at EOF is dropped; its command fails with `.connectionClosed`.
        try self.decode(context: context, buffer: &buffer)
    }
}
