// SPDX-License-Identifier: Apache-2.0
import NIOCore
import Testing

@testable import ChatServer

/// The control socket's line splitter, fed by hand as a socket would feed it.
@Suite struct LineFrameDecoderTests {
    /// Appends `piece` and returns every line the decoder can now give.
    func feed(_ piece: String, to buffer: inout ByteBuffer, _ decoder: inout LineFrameDecoder) throws -> [String] {
        buffer.writeString(piece)
        var lines: [String] = []
        while let line = try decoder.decode(buffer: &buffer) { lines.append(String(buffer: line)) }
        return lines
    }

    /// A long line in many small reads comes out whole, and each read is searched only
    /// for what it added: what was searched before is remembered, not scanned again.
    @Test func aLongLineInManyPiecesIsScannedOnce() throws {
        var decoder = LineFrameDecoder(maxLength: 1 << 20)
        var buffer = ByteBuffer()
        let line = String(repeating: "0123456789abcdef", count: 16_384)  // 256 KiB
        var rest = Substring(line)
        var pieces = 0
        while !rest.isEmpty {
            let piece = rest.prefix(97)
            rest = rest.dropFirst(97)
            #expect(try self.feed(String(piece), to: &buffer, &decoder).isEmpty)
            #expect(decoder.scanned == buffer.readableBytes, "searched only up to what is buffered, once")
            pieces += 1
        }
        #expect(pieces > 2000)
        #expect(try self.feed("\r\nnext", to: &buffer, &decoder) == [line])
        #expect(decoder.scanned == 4, "starts over after a line")
        #expect(try self.feed("\n", to: &buffer, &decoder) == ["next"])
    }

    @Test func severalLinesInOneReadAndACRLFSplitAcrossReads() throws {
        var decoder = LineFrameDecoder(maxLength: 100)
        var buffer = ByteBuffer()
        #expect(try self.feed("a\nbb\r\nccc\r", to: &buffer, &decoder) == ["a", "bb"])
        #expect(try self.feed("\n\n", to: &buffer, &decoder) == ["ccc", ""])
    }

    @Test func aLineTooLongIsAnErrorEvenInPieces() throws {
        var decoder = LineFrameDecoder(maxLength: 100)
        var buffer = ByteBuffer()
        for _ in 0..<10 { #expect(try self.feed("0123456789", to: &buffer, &decoder).isEmpty) }
        #expect(throws: LineFrameDecoder.LineTooLong.self) { _ = try self.feed("x", to: &buffer, &decoder) }
    }
}
