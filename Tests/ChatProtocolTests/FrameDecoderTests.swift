// SPDX-License-Identifier: Apache-2.0
import NIOCore
import Testing

@testable import ChatProtocol

@Suite struct FrameDecoderTests {
    static func frames(_ bodies: [String]) -> ByteBuffer {
        var buffer = ByteBuffer()
        for body in bodies {
            buffer.writeInteger(UInt32(body.utf8.count))
            buffer.writeString(body)
        }
        return buffer
    }

    /// Feeds `input` in chunks of `chunk` bytes, as TCP may deliver it.
    static func decodeAll(
        _ input: ByteBuffer,
        chunk: Int,
        max: Int = FrameDecoder.defaultMaxFrameSize
    ) throws -> [String] {
        var decoder = FrameDecoder(maxFrameSize: max)
        var pending = ByteBuffer()
        var out: [String] = []
        var input = input
        while input.readableBytes > 0 {
            var piece = input.readSlice(length: Swift.min(chunk, input.readableBytes))!
            pending.writeBuffer(&piece)
            while let frame = try decoder.decode(buffer: &pending) {
                out.append(String(buffer: frame))
            }
        }
        #expect(pending.readableBytes == 0)
        return out
    }

    @Test(arguments: [1, 2, 3, 5, 7, 4096])
    func framesSplitAcrossReadsAndCoalesced(chunk: Int) throws {
        let bodies = ["{\"type\":\"A\"}", "x", String(repeating: "é", count: 300), "{}"]
        #expect(try Self.decodeAll(Self.frames(bodies), chunk: chunk) == bodies)
    }

    @Test func zeroLengthIsAFramingError() {
        #expect(throws: ProtocolError.emptyFrame) {
            _ = try Self.decodeAll(Self.frames([""]), chunk: 64)
        }
    }

    /// The length prefix alone is enough to refuse: the body is never awaited.
    @Test func oversizedFrameRefusedFromItsPrefix() throws {
        var decoder = FrameDecoder(maxFrameSize: 1024)
        var prefixOnly = ByteBuffer()
        prefixOnly.writeInteger(UInt32(1025))
        #expect(throws: ProtocolError.frameTooLarge(length: 1025, limit: 1024)) {
            _ = try decoder.decode(buffer: &prefixOnly)
        }
        #expect(ProtocolError.frameTooLarge(length: 1025, limit: 1024).code == 413)
        #expect(ProtocolError.frameTooLarge(length: 1025, limit: 1024).isFraming)
    }

    @Test func frameAtTheLimitIsAccepted() throws {
        let body = String(repeating: "a", count: 1024)
        #expect(try Self.decodeAll(Self.frames([body]), chunk: 100, max: 1024) == [body])
    }

    @Test func partialPrefixWaits() throws {
        var decoder = FrameDecoder()
        var buffer = ByteBuffer(bytes: [0, 0])
        #expect(try decoder.decode(buffer: &buffer) == nil)
        #expect(buffer.readableBytes == 2)
    }
}
