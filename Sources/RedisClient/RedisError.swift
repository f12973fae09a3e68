// SPDX-License-Identifier: Apache-2.0
/// Every failure the Redis client reports. Errors are values: a `-ERR` reply is
/// `.server` and leaves the connection usable.
public enum RedisError: Error, Sendable, Equatable {
    /// Could not establish (or authenticate) a connection.
    case connectionFailed(String)
    /// The connection closed while the command was pending, or no connection is up.
    case connectionClosed
    /// No reply within `commandTimeout`; the connection that timed out is closed.
    case timeout
    /// A `-ERR …` reply.
    case server(String)
    /// Bytes from the server that are not valid RESP, or exceed the parser's limits.
    case protocolViolation(String)
    /// The client was shut down.
    case shutDown
    /// `RedisConfiguration(url:)` could not parse its argument.
    case invalidURL(String)
    /// A reply had an unexpected shape for the operation (e.g. PING not answered PONG).
    case unexpectedReply(String)
    /// `CLUSTER SLOTS` answered something that is not a slot map (wrong shape, slot out of
    /// range, overlapping ranges, bad address).
    case invalidSlotMap(String)
    /// The cluster cannot serve the key's slot right now (`-CLUSTERDOWN`, `-TRYAGAIN`, or no
    /// master known for the slot). Nothing was done; trying again later may succeed.
    case clusterUnavailable(String)
}

extension RedisError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .connectionFailed(let why): return "Redis connection failed: \(why)"
        case .connectionClosed: return "Redis connection closed"
        case .timeout: return "Redis command timed out"
        case .server(let message): return "Redis error reply: \(message)"
        case .protocolViolation(let why): return "Redis protocol violation: \(why)"
        case .shutDown: return "Redis client shut down"
        case .invalidURL(let why): return "invalid Redis URL: \(why)"
        case .unexpectedReply(let why): return "unexpected Redis reply: \(why)"
        case .invalidSlotMap(let why): return "invalid Redis Cluster slot map: \(why)"
        case .clusterUnavailable(let why): return "Redis Cluster unavailable (retryable): \(why)"
        }
    }
}
