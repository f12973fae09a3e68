import Foundation
import NIOCore

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

    /// The frame (length prefix included) carrying this envelope.
    public func frame(allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        var json = "{\"type\":"
        JSONString.append(self.type, to: &json)
        json += ",\"data\":"
        JSONString.append(self.data, to: &json)
        json += "}"
        return FrameEncoder.frame(Array(json.utf8), allocator: allocator)
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
    public static func decode<T: Decodable>(_ type: T.Type, from data: String, messageType: String) throws(ProtocolError) -> T {
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
    static func append(_ string: String, to out: inout String) {
        out.append("\"")
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out.append("\\\"")
            case "\\": out.append("\\\\")
            case "\n": out.append("\\n")
            case "\r": out.append("\\r")
            case "\t": out.append("\\t")
            case _ where scalar.value < 0x20:
                out.append("\\u00")
                let hex = String(scalar.value, radix: 16)
                if hex.count < 2 { out.append("0") }
                out.append(hex)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out.append("\"")
    }
}
