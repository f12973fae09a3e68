// SPDX-License-Identifier: Apache-2.0
import NIOCore

/// Splits a byte stream at `\n` (a trailing `\r` is dropped). A line longer than
/// `maxLength` is an error: the control connection is then closed.
struct LineFrameDecoder: NIOSingleStepByteToMessageDecoder {
    typealias InboundOut = ByteBuffer
    let maxLength: Int
    /// Bytes past the reader index already searched for a newline: a line arriving in
    /// many reads is scanned once, not once per read.
    private(set) var scanned = 0

    init(maxLength: Int) {
        self.maxLength = maxLength
    }

    struct LineTooLong: Error {}

    mutating func decode(buffer: inout ByteBuffer) throws -> ByteBuffer? {
        let view = buffer.readableBytesView
        let unscanned = view.index(view.startIndex, offsetBy: min(self.scanned, view.count))
        guard let newline = view[unscanned...].firstIndex(of: UInt8(ascii: "\n")) else {
            self.scanned = view.count
            if view.count > maxLength { throw LineTooLong() }
            return nil
        }
        self.scanned = 0
        let length = newline - view.startIndex
        guard length <= maxLength else { throw LineTooLong() }
        var line = buffer.readSlice(length: length)!
        buffer.moveReaderIndex(forwardBy: 1)
        if line.readableBytesView.last == UInt8(ascii: "\r") {
            line = line.getSlice(at: line.readerIndex, length: line.readableBytes - 1)!
        }
        return line
    }

    mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> ByteBuffer? {
        try self.decode(buffer: &buffer)
    }
}
