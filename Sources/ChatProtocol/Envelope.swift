// SPDX-License-Identifier: Apache-2.0

import NIOCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `{"type": "...", "data": "<payload JSON as a string>"}` — the seed's double
/// encoding, kept byte-compatible.
public struct Envelope: Sendable, Equatable {
    public var type: String
    public var data: String

    public init(type: String, data: String) {
        self.type = type
        self.data = data
    }

    /// Parses a frame body.
    public static func decode(_ body: ByteBuffer) throws(ProtocolError) -> Envelope {
        let bytes = body.readableBytesView
        guard String(validating: bytes, as: UTF8.self) != nil else { throw .invalidUTF8 }
        let raw: Raw
        do {
            raw = try JSONDecoder().decode(Raw.self, from: Data(bytes))
        } catch {
            throw .malformedJSON(Self.describe(error))
        }
        guard let type = raw.type else { throw .malformedJSON("missing \"type\"") }
        return Envelope(type: type, data: raw.data ?? "")
    }

    /// The frame (length prefix included) carrying this envelope, written straight
    /// into one buffer: the payload string is escaped as bytes, not re-built as a String.
    public func frame(allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 4 + 24 + self.type.utf8.count + self.data.utf8.count + 16)
        buffer.writeInteger(UInt32(0))
        buffer.writeStaticString("{\"type\":")
        JSONString.write(self.type, to: &buffer)
        buffer.writeStaticString(",\"data\":")
        JSONString.write(self.data, to: &buffer)
        buffer.writeStaticString("}")
        buffer.setInteger(UInt32(buffer.readableBytes - 4), at: buffer.readerIndex)
        return buffer
    }

    /// Envelope for `payload` of `type`, encoded once.
    public static func make(_ type: MessageType, _ payload: some Encodable) -> Envelope {
        Envelope(type: type.rawValue, data: PayloadCoder.encode(payload))
    }

    private struct Raw: Decodable {
        var type: String?
        var data: String?
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context): return context.debugDescription
        case DecodingError.keyNotFound(let key, _): return "missing \"\(key.stringValue)\""
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? context.debugDescription : "\"\(path)\": \(context.debugDescription)"
        default: return "\(error)"
        }
    }
}

/// JSON of payloads: compact, keys as declared.
public enum PayloadCoder {
    public static func encode(_ payload: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]  // deterministic bytes
        // Our payload types cannot fail to encode (no floats, no custom encoders).
        let data = (try? encoder.encode(payload)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// Decodes `data`; an empty string counts as `{}` (seed clients send empty data
    /// for requests without fields).
    public static func decode<T: Decodable>(
        _ type: T.Type,
        from data: String,
        messageType: String
    ) throws(ProtocolError) -> T {
        let json = data.isEmpty ? "{}" : data
        do {
            return try JSONDecoder().decode(T.self, from: Data(json.utf8))
        } catch {
            throw .malformedPayload(type: messageType, reason: Envelope.describe(error))
        }
    }
}

/// Minimal JSON string escaping for the envelope, so the payload is not encoded a third time.
enum JSONString {
    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends `string` quoted and escaped as JSONEncoder does (without escaping slashes).
    static func append(_ string: String, to out: inout String) {
        var buffer = ByteBuffer()
        self.write(string, to: &buffer)
        out += String(buffer: buffer)
    }

    /// Writes `string` quoted and escaped.
    static func write(_ string: String, to buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: "\""))
        self.writeEscaped(string, to: &buffer)
        buffer.writeInteger(UInt8(ascii: "\""))
    }

    /// Writes `string` escaped, without quotes. Works on UTF-8 bytes: only `"`, `\\`
    /// and bytes below 0x20 are escaped, runs of other bytes are copied as they are.
    static func writeEscaped(_ string: String, to buffer: inout ByteBuffer) {
        var string = string
        string.withUTF8 { bytes in
            var runStart = 0
            for (index, byte) in bytes.enumerated()
            where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                buffer.writeBytes(UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                runStart = index + 1
                switch byte {
                case UInt8(ascii: "\""): buffer.writeStaticString("\\\"")
                case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
                case UInt8(ascii: "\n"): buffer.writeStaticString("\\n")
                case UInt8(ascii: "\r"): buffer.writeStaticString("\\r")
                case UInt8(ascii: "\t"): buffer.writeStaticString("\\t")
                default:
                    buffer.writeStaticString("\\u00")
                    buffer.writeInteger(hex[Int(byte >> 4)])
                    buffer.writeInteger(hex[Int(byte & 0xF)])
                }
            }
            buffer.writeBytes(UnsafeBufferPointer(rebasing: bytes[runStart...]))
        }
    }
}
