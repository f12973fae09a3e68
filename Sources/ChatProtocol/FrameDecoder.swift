// SPDX-License-Identifier: Apache-2.0
import NIOCore

/// Splits the byte stream into frames: a 4-byte big-endian length, then that many
/// bytes. The length is checked before any of the body is awaited, so an oversized
/// frame costs nothing but its prefix.
public struct FrameDecoder: NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = ByteBuffer

    public static let defaultMaxFrameSize = 64 * 1024
    public let maxFrameSize: Int

    public init(maxFrameSize: Int = FrameDecoder.defaultMaxFrameSize) {
        self.maxFrameSize = maxFrameSize
    }

    public mutating func decode(buffer: inout ByteBuffer) throws -> ByteBuffer? {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else { return nil }
        guard length > 0 else { throw ProtocolError.emptyFrame }
        guard length <= self.maxFrameSize else {
            throw ProtocolError.frameTooLarge(length: Int(length), limit: self.maxFrameSize)
        }
        guard buffer.readableBytes >= 4 + Int(length) else { return nil }
        buffer.moveReaderIndex(forwardBy: 4)
        return buffer.readSlice(length: Int(length))
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> ByteBuffer? {
        try self.decode(buffer: &buffer)
    }
}

/// Wraps a body in its length prefix.
public enum FrameEncoder {
    public static func frame(
        _ body: some Collection<UInt8>,
        allocator: ByteBufferAllocator = ByteBufferAllocator()
    ) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 4 + body.count)
        buffer.writeInteger(UInt32(body.count))
        buffer.writeBytes(body)
        return buffer
    }
}
