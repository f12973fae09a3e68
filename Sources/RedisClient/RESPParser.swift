// SPDX-License-Identifier: Apache-2.0

import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Outcome of one `RESPParser.parse` call.
public enum RESPParseResult: Sendable, Equatable {
    case value(RESPValue)
    case needMoreData
}

/// Incremental, pure RESP2 parser.
///
/// `parse` either returns a complete value and advances the buffer's reader index past
/// it, or returns `.needMoreData` and leaves the buffer untouched, or throws
/// `RedisError.protocolViolation`. It keeps no state between calls, so a partial value
/// is simply re-read once more bytes have arrived.
///
/// Hostile input cannot exhaust memory or the stack: lengths are checked against
/// `Limits` before anything is read, nothing is allocated from a declared length until
/// the bytes are actually in the buffer, and nesting is bounded by `maxDepth`.
public struct RESPParser: Sendable {
    public struct Limits: Sendable {
        /// Redis's own `proto-max-bulk-len` default.
        public var maxBulkLength: Int
        public var maxArrayLength: Int
        /// Bounds recursion; Redis replies never nest deeply.
        public var maxDepth: Int
        /// Bounds the search for CRLF in simple strings, errors and integers.
        public var maxLineLength: Int

        public init(
            maxBulkLength: Int = 512 * 1024 * 1024,
            maxArrayLength: Int = 1 << 24,
            maxDepth: Int = 32,
            maxLineLength: Int = 64 * 1024
        ) {
            self.maxBulkLength = maxBulkLength
            self.maxArrayLength = maxArrayLength
            self.maxDepth = maxDepth
            self.maxLineLength = maxLineLength
        }
    }

    public var limits: Limits

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    public func parse(_ buffer: inout ByteBuffer) throws(RedisError) -> RESPParseResult {
        var cursor = buffer.readerIndex
        guard let value = try self.parseValue(buffer, at: &cursor, depth: 1) else {
            return .needMoreData
        }
        buffer.moveReaderIndex(to: cursor)
        return .value(value)
    }

    /// Parses the value starting at `index`; on success moves `index` past it.
    private func parseValue(_ buffer: ByteBuffer, at index: inout Int, depth: Int) throws(RedisError) -> RESPValue? {
        guard let type = buffer.getInteger(at: index, as: UInt8.self) else { return nil }
        switch type {
        case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: ":"), UInt8(ascii: "$"), UInt8(ascii: "*"):
            break
        default:
            throw .protocolViolation("unknown type byte \(type)")
        }
        var cursor = index + 1
        guard let line = try self.readLine(buffer, at: &cursor) else { return nil }

        let value: RESPValue
        switch type {
        case UInt8(ascii: "+"):
            value = .simpleString(buffer.getString(at: line.start, length: line.length) ?? "")
        case UInt8(ascii: "-"):
            value = .error(buffer.getString(at: line.start, length: line.length) ?? "")
        case UInt8(ascii: ":"):
            value = .integer(try Self.parseInteger(buffer, line))
        case UInt8(ascii: "$"):
            let length = try Self.parseInteger(buffer, line)
            if length == -1 {
                value = .bulkString(nil)
                break
            }
            guard length >= 0 else { throw .protocolViolation("negative bulk length \(length)") }
            guard length <= self.limits.maxBulkLength else {
                throw .protocolViolation("bulk length \(length) exceeds limit \(self.limits.maxBulkLength)")
            }
            // Wait for payload and its CRLF before touching (or allocating for) the payload.
            guard buffer.writerIndex - cursor >= length + 2 else { return nil }
            guard buffer.getInteger(at: cursor + length, as: UInt8.self) == UInt8(ascii: "\r"),
                buffer.getInteger(at: cursor + length + 1, as: UInt8.self) == UInt8(ascii: "\n")
            else { throw .protocolViolation("bulk string not terminated by CRLF") }
            guard let payload = buffer.getSlice(at: cursor, length: length) else { return nil }
            cursor += length + 2
            value = .bulkString(payload)
        default:  // "*"
            let count = try Self.parseInteger(buffer, line)
            if count == -1 {
                value = .array(nil)
                break
            }
            guard count >= 0 else { throw .protocolViolation("negative array length \(count)") }
            guard count <= self.limits.maxArrayLength else {
                throw .protocolViolation("array length \(count) exceeds limit \(self.limits.maxArrayLength)")
            }
            if count > 0 && depth >= self.limits.maxDepth {
                throw .protocolViolation("arrays nested deeper than \(self.limits.maxDepth)")
            }
            var elements: [RESPValue] = []
            // Every element takes at least 3 bytes, so never reserve more than the bytes present justify.
            elements.reserveCapacity(min(count, (buffer.writerIndex - cursor) / 3))
            for _ in 0..<count {
                guard let element = try self.parseValue(buffer, at: &cursor, depth: depth + 1) else { return nil }
                elements.append(element)
            }
            value = .array(elements)
        }
        index = cursor
        return value
    }

    /// Finds the CRLF-terminated line at `cursor`; returns its bounds and moves `cursor` past the CRLF.
    private func readLine(_ buffer: ByteBuffer, at cursor: inout Int) throws(RedisError) -> (start: Int, length: Int)? {
        let available = buffer.writerIndex - cursor
        let window = min(available, self.limits.maxLineLength + 1)
        let offset = cursor - buffer.readerIndex
        // Lines may contain neither CR nor LF, so a bare LF is an error rather than content.
        // memchr: a line may be re-scanned each time more bytes arrive, so scanning must be cheap.
        let found: Int? = buffer.withUnsafeReadableBytes { bytes -> Int? in
            guard window > 0, let base = bytes.baseAddress else { return nil }
            let start = base + offset
            let cr = memchr(start, Int32(UInt8(ascii: "\r")), window)
            let lf = memchr(start, Int32(UInt8(ascii: "\n")), window)
            let first: UnsafeMutableRawPointer?
            switch (cr, lf) {
            case (let cr?, let lf?): first = min(cr, lf)
            case (let cr?, nil): first = cr
            case (nil, let lf?): first = lf
            case (nil, nil): first = nil
            }
            return first.map { offset + (UnsafeRawPointer($0) - UnsafeRawPointer(start)) }
        }
        guard let crOffset = found else {
            if available > self.limits.maxLineLength {
                throw .protocolViolation("line longer than \(self.limits.maxLineLength) bytes")
            }
            return nil
        }
        let cr = buffer.readerIndex + crOffset
        guard buffer.getInteger(at: cr, as: UInt8.self) == UInt8(ascii: "\r") else {
            throw .protocolViolation("LF without CR")
        }
        guard let lf = buffer.getInteger(at: cr + 1, as: UInt8.self) else { return nil }
        guard lf == UInt8(ascii: "\n") else { throw .protocolViolation("CR not followed by LF") }
        let line = (start: cursor, length: cr - cursor)
        cursor = cr + 2
        return line
    }

    /// Strict decimal: optional '-', then 1...19 digits, no overflow.
    private static func parseInteger(_ buffer: ByteBuffer, _ line: (start: Int, length: Int)) throws(RedisError) -> Int
    {
        guard line.length > 0, line.length <= 20 else { throw .protocolViolation("bad integer length \(line.length)") }
        var index = line.start
        let end = line.start + line.length
        var negative = false
        if buffer.getInteger(at: index, as: UInt8.self) == UInt8(ascii: "-") {
            negative = true
            index += 1
            guard index < end else { throw .protocolViolation("bare '-' as integer") }
        }
        var result = 0
        while index < end {
            guard let byte = buffer.getInteger(at: index, as: UInt8.self),
                byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9")
            else { throw .protocolViolation("non-digit in integer") }
            let digit = Int(byte - UInt8(ascii: "0"))
            let (times10, o1) = result.multipliedReportingOverflow(by: 10)
            let (next, o2) =
                negative ? times10.subtractingReportingOverflow(digit) : times10.addingReportingOverflow(digit)
            guard !o1, !o2 else { throw .protocolViolation("integer overflow") }
            result = next
            index += 1
        }
        return result
    }
}
