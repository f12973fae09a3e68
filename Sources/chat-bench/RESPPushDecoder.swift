// SPDX-License-Identifier: Apache-2.0
import NIOCore

/// What a Redis connection of the baseline receives.
enum RESPItem {
    /// A pub/sub `message` push: its payload.
    case message(ByteBuffer)
    /// The `subscribe` confirmation.
    case subscribed
    case integer(Int)
    case error(String)
    case other
}

/// Just enough RESP2 for PUBLISH replies and SUBSCRIBE pushes.
struct RESPPushDecoder: NIOSingleStepByteToMessageDecoder {
    typealias InboundOut = RESPItem

    enum Failure: Error { case protocolError }

    private enum Value {
        case bulk(start: Int, length: Int)  // length -1: null
        case integer(Int)
        case simple(start: Int, length: Int)
        case error(start: Int, length: Int)
        case array([Value])
    }

    mutating func decode(buffer: inout ByteBuffer) throws -> RESPItem? {
        let parsed: (Value, Int)? = try buffer.withUnsafeReadableBytes { bytes in try Self.parse(bytes, at: 0, depth: 0)
        }
        guard let (value, consumed) = parsed else { return nil }
        let base = buffer.readerIndex
        defer { buffer.moveReaderIndex(forwardBy: consumed) }
        func string(_ start: Int, _ length: Int) -> String { buffer.getString(at: base + start, length: length) ?? "" }
        switch value {
        case .integer(let n): return .integer(n)
        case .error(let start, let length): return .error(string(start, length))
        case .array(let items):
            guard items.count == 3, case .bulk(let kindStart, let kindLength) = items[0] else { return .other }
            let kind = string(kindStart, kindLength)
            if kind == "message", case .bulk(let start, let length) = items[2], length >= 0 {
                return .message(buffer.getSlice(at: base + start, length: length) ?? ByteBuffer())
            }
            return kind == "subscribe" ? .subscribed : .other
        case .bulk, .simple: return .other
        }
    }

    mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> RESPItem? {
        try self.decode(buffer: &buffer)
    }

    /// Parses one value at `at`; nil when more bytes are needed.
    private static func parse(_ b: UnsafeRawBufferPointer, at: Int, depth: Int) throws -> (Value, Int)? {
        guard at < b.count else { return nil }
        guard depth < 4 else { throw Failure.protocolError }
        guard let lineEnd = Self.crlf(b, from: at + 1) else { return nil }
        let lineStart = at + 1
        switch b[at] {
        case UInt8(ascii: "+"): return (.simple(start: lineStart, length: lineEnd - lineStart), lineEnd + 2)
        case UInt8(ascii: "-"): return (.error(start: lineStart, length: lineEnd - lineStart), lineEnd + 2)
        case UInt8(ascii: ":"): return (.integer(try Self.integer(b, lineStart, lineEnd)), lineEnd + 2)
        case UInt8(ascii: "$"):
            let length = try Self.integer(b, lineStart, lineEnd)
            if length < 0 { return (.bulk(start: 0, length: -1), lineEnd + 2) }
            let end = lineEnd + 2 + length + 2
            guard end <= b.count else { return nil }
            return (.bulk(start: lineEnd + 2, length: length), end)
        case UInt8(ascii: "*"):
            let count = try Self.integer(b, lineStart, lineEnd)
            var items: [Value] = []
            var next = lineEnd + 2
            for _ in 0..<max(0, count) {
                guard let (item, after) = try Self.parse(b, at: next, depth: depth + 1) else { return nil }
                items.append(item)
                next = after
            }
            return (.array(items), next)
        default:
            throw Failure.protocolError
        }
    }

    private static func crlf(_ b: UnsafeRawBufferPointer, from: Int) -> Int? {
        var i = from
        while i + 1 < b.count {
            if b[i] == 13, b[i + 1] == 10 { return i }
            i += 1
        }
        return nil
    }

    private static func integer(_ b: UnsafeRawBufferPointer, _ start: Int, _ end: Int) throws -> Int {
        var i = start
        var negative = false
        if i < end, b[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        var value = 0
        guard i < end else { throw Failure.protocolError }
        while i < end {
            guard b[i] >= 48, b[i] <= 57 else { throw Failure.protocolError }
            value = value * 10 + Int(b[i] - 48)
            i += 1
        }
        return negative ? -value : value
    }
}
