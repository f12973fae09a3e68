// SPDX-License-Identifier: Apache-2.0
/// Why a frame could not be turned into a message. Each maps to the `ErrorMes`
/// code the peer receives.
public enum ProtocolError: Error, Equatable, Sendable {
    /// Zero length prefix: nothing to decode, the stream is out of step.
    case emptyFrame
    /// The length prefix exceeds the configured maximum; the body is never read.
    case frameTooLarge(length: Int, limit: Int)
    case invalidUTF8
    case malformedJSON(String)
    case unknownType(String)
    /// A frame was started but not finished within the server's time limit.
    case frameTimeout
    /// The envelope parsed but the payload did not fit the type.
    case malformedPayload(type: String, reason: String)

    /// Framing errors leave the byte stream unusable: the connection must close.
    public var isFraming: Bool {
        switch self {
        case .emptyFrame, .frameTooLarge, .frameTimeout: return true
        default: return false
        }
    }

    public var code: Int {
        switch self {
        case .frameTooLarge: return StatusCode.tooLarge
        case .frameTimeout: return StatusCode.timeout
        default: return StatusCode.badRequest
        }
    }

    public var message: String {
        switch self {
        case .emptyFrame: return "empty frame (length 0)"
        case let .frameTooLarge(length, limit): return "frame of \(length) bytes exceeds the limit of \(limit)"
        case .frameTimeout: return "frame not completed in time"
        case .invalidUTF8: return "frame is not valid UTF-8"
        case let .malformedJSON(why): return "malformed JSON: \(why)"
        case let .unknownType(type): return "unknown message type \"\(type)\""
        case let .malformedPayload(type, reason): return "malformed \(type): \(reason)"
        }
    }
}
