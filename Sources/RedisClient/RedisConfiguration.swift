// SPDX-License-Identifier: Apache-2.0
import NIOCore

/// How to reach Redis and how hard to try.
public struct RedisConfiguration: Sendable, Equatable {
    public var host: String
    public var port: Int
    /// When set, Redis is reached over this Unix-domain socket instead of host and port.
    public var unixSocketPath: String?
    /// ACL user (Redis 6+); `nil` means AUTH with the password only.
    public var username: String?
    public var password: String?
    /// Database index selected with SELECT after connecting; `nil` keeps the default (0).
    public var database: Int?
    /// Number of multiplexed connections in `RedisClient`'s pool.
    public var poolSize: Int
    /// A command not answered within this fails with `.timeout` and its connection is closed.
    public var commandTimeout: TimeAmount
    public var connectTimeout: TimeAmount
    /// Reconnect delays grow exponentially from min to max, with jitter.
    public var reconnectBackoffMin: TimeAmount
    public var reconnectBackoffMax: TimeAmount
    /// TLS to Redis (`rediss://`); nil: plain TCP or a Unix socket.
    public var tls: RedisTLS?

    public init(
        host: String = "127.0.0.1",
        port: Int = 6379,
        username: String? = nil,
        password: String? = nil,
        database: Int? = nil,
        poolSize: Int = 4,
        commandTimeout: TimeAmount = .seconds(5),
        connectTimeout: TimeAmount = .seconds(2),
        reconnectBackoffMin: TimeAmount = .milliseconds(50),
        reconnectBackoffMax: TimeAmount = .seconds(5)
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.poolSize = max(1, poolSize)
        self.commandTimeout = commandTimeout
        self.connectTimeout = connectTimeout
        self.reconnectBackoffMin = reconnectBackoffMin
        self.reconnectBackoffMax = max(reconnectBackoffMin, reconnectBackoffMax)
    }

    /// Parses `redis://[[user]:password@]host[:port][/db]` (`rediss://` for TLS, verified
    /// against the system's CAs unless `tls` says otherwise) or `unix:///path/to/redis.sock[?db=N]`;
    /// other settings keep their defaults. User and password may be percent-encoded.
    public init(url: String) throws(RedisError) {
        self.init()
        if url.hasPrefix("unix://") {
            var path = Substring(url.dropFirst("unix://".count))
            if let query = path.firstIndex(of: "?") {
                let parameter = path[path.index(after: query)...]
                path = path[..<query]
                guard parameter.hasPrefix("db="), let index = Int(parameter.dropFirst(3)), index >= 0 else {
                    throw .invalidURL("the only query is db=N, got '\(parameter)'")
                }
                self.database = index
            }
            guard path.hasPrefix("/") else { throw .invalidURL("unix:// needs an absolute socket path") }
            self.unixSocketPath = String(path)
            return
        }
        let scheme = url.hasPrefix("rediss://") ? "rediss://" : "redis://"
        guard url.hasPrefix(scheme) else { throw .invalidURL("must start with redis://, rediss:// or unix://") }
        if scheme == "rediss://" { self.tls = RedisTLS() }
        var rest = Substring(url.dropFirst(scheme.count))

        // The password may itself contain '@', so the last one ends the user info.
        if let at = rest.lastIndex(of: "@") {
            let userInfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
            guard let colon = userInfo.firstIndex(of: ":") else {
                throw .invalidURL("user info needs the form [user]:password")
            }
            let user = try Self.percentDecoded(userInfo[..<colon])
            self.username = user.isEmpty ? nil : user
            self.password = try Self.percentDecoded(userInfo[userInfo.index(after: colon)...])
        }

        var hostPort = rest
        if let slash = rest.firstIndex(of: "/") {
            hostPort = rest[..<slash]
            let db = rest[rest.index(after: slash)...]
            if !db.isEmpty {
                guard let index = Int(db), index >= 0 else {
                    throw .invalidURL("database must be a non-negative integer, got '\(db)'")
                }
                self.database = index
            }
        }

        var portText: Substring?
        if hostPort.hasPrefix("[") {
            // IPv6 literal: [::1]:6379
            guard let close = hostPort.firstIndex(of: "]") else { throw .invalidURL("unterminated IPv6 address") }
            self.host = String(hostPort[hostPort.index(after: hostPort.startIndex)..<close])
            let after = hostPort[hostPort.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw .invalidURL("unexpected text after IPv6 address") }
                portText = after.dropFirst()
            }
        } else if let colon = hostPort.firstIndex(of: ":") {
            self.host = String(hostPort[..<colon])
            portText = hostPort[hostPort.index(after: colon)...]
        } else {
            self.host = String(hostPort)
        }
        guard !self.host.isEmpty else { throw .invalidURL("missing host") }
        if let portText {
            guard let port = Int(portText), (1...65535).contains(port) else {
                throw .invalidURL("port must be 1...65535, got '\(portText)'")
            }
            self.port = port
        }
    }

    /// `url` with its user info (`user:password`) replaced by `***`, for error and log
    /// lines: `redis://:s3cret@host:x` → `redis://***@host:x`. Works on any text, parsable
    /// or not: everything before the last `@` after the scheme (the parser's rule, as a
    /// password may hold `@`) is replaced, so a typo cannot leak the password either.
    public static func redacted(url: String) -> String {
        guard let at = url.lastIndex(of: "@") else { return url }
        var start = url.startIndex
        if let scheme = url.firstRange(of: "://"), scheme.upperBound <= at { start = scheme.upperBound }
        return url[..<start] + "***" + url[at...]
    }

    private static func percentDecoded(_ text: Substring) throws(RedisError) -> String {
        guard text.contains("%") else { return String(text) }
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(Self.hexValue), let low = iterator.next().flatMap(Self.hexValue)
            else {
                throw .invalidURL("bad percent-encoding in user info")
            }
            bytes.append(high << 4 | low)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

/// How to speak TLS to Redis: whom to trust, and a client certificate when Redis asks
/// for one (`tls-auth-clients yes`). PEM files, read at each connect.
public struct RedisTLS: Sendable, Equatable {
    /// CA certificates that sign Redis's certificate; nil: the system's.
    public var caFile: String?
    /// A client certificate (chain) and its unencrypted key, both or neither.
    public var certificateFile: String?
    public var keyFile: String?

    public init(caFile: String? = nil, certificateFile: String? = nil, keyFile: String? = nil) {
        self.caFile = caFile
        self.certificateFile = certificateFile
        self.keyFile = keyFile
    }
}
