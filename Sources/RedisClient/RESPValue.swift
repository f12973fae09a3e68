// SPDX-License-Identifier: Apache-2.0
import NIOCore

/// One RESP2 value as sent by Redis.
public enum RESPValue: Sendable, Equatable {
    case simpleString(String)
    case error(String)
    case integer(Int)
    /// `nil` is the RESP2 null bulk string (`$-1`).
    case bulkString(ByteBuffer?)
    /// `nil` is the RESP2 null array (`*-1`).
    case array([RESPValue]?)

    /// Convenience: a bulk string built from UTF-8 text.
    public static func bulk(_ string: String) -> RESPValue {
        .bulkString(ByteBuffer(string: string))
    }

    /// Text of a simple or bulk string; `nil` for anything else (including null).
    public var string: String? {
        switch self {
        case .simpleString(let s): return s
        case .bulkString(let b?): return String(buffer: b)
        default: return nil
        }
    }

    /// The integer, or a string reply that spells one (Redis often answers numbers as bulk strings).
    public var int: Int? {
        switch self {
        case .integer(let i): return i
        case .simpleString, .bulkString: return self.string.flatMap { Int($0) }
        default: return nil
        }
    }

    /// Elements of a non-null array.
    public var array: [RESPValue]? {
        if case .array(let a?) = self { return a }
        return nil
    }

    /// Raw bytes of a non-null bulk string.
    public var buffer: ByteBuffer? {
        if case .bulkString(let b?) = self { return b }
        return nil
    }

    public var isNull: Bool {
        switch self {
        case .bulkString(nil), .array(nil): return true
        default: return false
        }
    }
}
