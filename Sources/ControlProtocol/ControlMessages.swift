// SPDX-License-Identifier: Apache-2.0
/// JSON-RPC 2.0 shaped control messages (PROTOCOL.md §2): one object per line.
/// Pure types, shared by chatd and chatctl so the client does not link the server.
public struct ControlRequest: Codable, Sendable {
    public var jsonrpc: String?
    public var id: JSONValue?
    public var method: String
    public var params: JSONValue?

    public init(id: JSONValue?, method: String, params: JSONValue? = nil) {
        self.jsonrpc = "2.0"
        self.id = id
        self.method = method
        self.params = params
    }
}

public struct ControlResponse: Codable, Sendable {
    public var jsonrpc = "2.0"
    public var id: JSONValue?
    public var result: JSONValue?
    public var error: ControlError?

    public init(id: JSONValue?, result: JSONValue) {
        self.id = id
        self.result = result
    }

    public init(id: JSONValue?, error: ControlError) {
        self.id = id
        self.error = error
    }
}

public struct ControlError: Codable, Sendable, Error {
    public var code: Int
    public var message: String

    public init(code: Int, message: String) {
        self.code = code
        self.message = message
    }

    public static func parseError(_ why: String) -> ControlError { .init(code: -32700, message: "parse error: \(why)") }
    public static func invalidRequest(_ why: String) -> ControlError {
        .init(code: -32600, message: "invalid request: \(why)")
    }
    public static func methodNotFound(_ name: String) -> ControlError {
        .init(code: -32601, message: "unknown method \"\(name)\"")
    }
    public static func invalidParams(_ why: String) -> ControlError {
        .init(code: -32602, message: "invalid params: \(why)")
    }
    public static func internalError(_ why: String) -> ControlError { .init(code: -32603, message: why) }
    /// The peer is not an administrator; sent once, then the connection is closed.
    public static func permissionDenied() -> ControlError {
        .init(code: Code.permissionDenied, message: "permission denied")
    }
    /// Application errors: the request was understood and refused.
    public static func refused(_ why: String) -> ControlError { .init(code: Code.refused, message: why) }
    public static func unavailable(_ why: String) -> ControlError { .init(code: Code.unavailable, message: why) }

    /// The codes a client tells apart.
    public enum Code {
        public static let parseError = -32700
        public static let invalidRequest = -32600
        public static let methodNotFound = -32601
        public static let invalidParams = -32602
        public static let internalError = -32603
        public static let permissionDenied = -32001
        public static let refused = 1
        public static let unavailable = 2
    }
}

/// Any JSON value, for params and results.
public enum JSONValue: Codable, Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value):
            if value.rounded() == value, abs(value) < 1e15 {
                try container.encode(Int64(value))
            } else {
                try container.encode(value)
            }
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    public subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    public var string: String? { if case .string(let s) = self { return s } else { return nil } }
    public var int: Int? {
        switch self {
        case .number(let n) where n.rounded() == n && abs(n) < 1e15: return Int(n)
        case .string(let s): return Int(s)
        default: return nil
        }
    }
    public var bool: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    public var array: [JSONValue]? { if case .array(let a) = self { return a } else { return nil } }
    public var object: [String: JSONValue]? { if case .object(let o) = self { return o } else { return nil } }
    public var int64: Int64? {
        if case .number(let n) = self, n.rounded() == n, abs(n) < 1e15 { return Int64(n) }
        return nil
    }

    public static func int(_ value: Int) -> JSONValue { .number(Double(value)) }
    public static func int64(_ value: Int64) -> JSONValue { .number(Double(value)) }
}
