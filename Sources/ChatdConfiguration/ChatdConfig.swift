// SPDX-License-Identifier: Apache-2.0
import ChatServer
import ChatStore
import Foundation
import Logging
import NIOCore
import RedisClient

#if canImport(Glibc)
import Glibc
#endif

/// chatd's whole configuration, resolved from flags > environment > file > defaults.
public struct ChatdConfig: Equatable, Sendable {
    public init() {}

    public var listen = HostPort(host: "0.0.0.0", port: 8889)
    /// The TLS chat address to bind when systemd passes no `chat-tls` socket; nil = none.
    public var tlsListen: HostPort?
    /// PEM paths of the TLS certificate (chain) and its key; see TLSSettings.swift.
    public var tlsCertificate = ""
    public var tlsKey = ""
    public var controlSocket = "/run/chatd/control.sock"
    /// The Prometheus endpoint to bind when systemd passes no `metrics` socket; nil = none.
    public var metricsListen: HostPort?
    public var adminGroup = "chatadm"
    public var adminUsers: [String] = []
    public var controlIdleTimeout = 60
    public var redisURL = "redis://127.0.0.1:6379"
    /// A file holding the Redis password (a systemd credential); overrides one in redis_url.
    /// Empty: `$CREDENTIALS_DIRECTORY/redis-password` when that exists.
    public var redisPasswordFile = ""
    /// With a rediss:// URL: the CA that signs Redis's certificate (empty: the system's),
    /// and a client certificate and key when Redis asks for one.
    public var redisTLSCAFile = ""
    public var redisTLSCertificate = ""
    public var redisTLSKey = ""
    public var redisKeyPrefix = "chat:"
    public var redisPoolSize = 4
    public var redisTimeout = 5
    public var seedUserHash = "user"
    public var maxFrameSize = 65536
    public var idleTimeout = 600
    public var loginTimeout = 10
    public var historyMax = 100_000
    public var historyPageMax = 200
    public var offlineMax = 100
    public var scryptN = 131_072
    public var scryptR = 8
    public var scryptP = 1
    public var logLevel = Logger.Level.info
    public var logTarget = LogTarget.auto
    public var shutdownTimeout = 10
    public var motd = ""
    public var tokenTTL = 7 * 24 * 3600
    /// The resume tokens' HMAC key (a systemd credential). Empty: `$CREDENTIALS_DIRECTORY/token-key`
    /// when that exists, else a key kept in Redis (a developer's setup: whoever reads Redis can forge tokens).
    public var tokenKeyFile = ""
    public var outboundQueueMax = 256 * 1024
    public var rateLimit = 10
    public var rateBurst = 30
    public var frameTimeout = 30
    public var loginFailuresPerUser = 5
    public var loginFailuresPerAddress = 20
    public var loginWindow = 60
    /// Whether anyone may register (`RegisterMes`); closed: administrators add users with chatctl.
    public var registration = Registration.closed
    public var registrationsPerAddress = 10
    public var maxSessionsPerUser = 16
    public var maxConnections = 50_000
    public var connectionsPerAddress = 32
    public var presenceTTL = 15
    public var presenceGrace = 5
    public var presenceNoticesMaxUsers = 1000

    public enum LogTarget: String, Equatable, Sendable { case auto, journal, stderr }
    public enum Registration: String, Equatable, Sendable { case open, closed }

    public static let defaultPath = "/etc/chatd/chatd.conf"

    /// Resolves the configuration. `path` nil means the default file if it exists.
    /// Every error about a value names where it came from: `file:line`, `CHATD_…` or `--…`.
    public static func load(
        path: String?,
        environment: [String: String],
        overrides: [ConfigKey: Override]
    ) throws(ConfigError) -> ChatdConfig {
        var file = ConfigFile()
        let filePath = path ?? (FileManager.default.fileExists(atPath: defaultPath) ? defaultPath : nil)
        if let filePath {
            file = try ConfigFile(parsing: try Self.read(filePath), path: filePath)
        }
        var config = ChatdConfig()
        var sources: [String: ConfigSource] = [:]
        for key in ConfigKey.allCases {
            let setting: (value: String, source: ConfigSource)?
            if let override = overrides[key] {
                setting = (override.value, .flag(override.flag))
            } else if let value = environment[key.environmentName] {
                setting = (value, .environment(key.environmentName))
            } else if let entry = file.entries[key.rawValue] {
                setting = (entry.value, .file(path: file.path, line: entry.line))
            } else {
                setting = nil
            }
            guard let setting else { continue }
            sources[key.rawValue] = setting.source
            do { try config.set(key, setting.value) } catch { throw error.located(sources) }
        }
        do { try config.validate() } catch { throw error.located(sources) }
        return config
    }

    /// A value given on the command line, with the flag that gave it.
    public struct Override: Equatable, Sendable {
        public var flag: String
        public var value: String

        public init(flag: String, value: String) {
            self.flag = flag
            self.value = value
        }
    }

    /// The file's text; plain POSIX reads, so that /dev/null and pipes work too.
    public static func read(_ path: String) throws(ConfigError) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .unreadable(path: path, String(cString: strerror(errno))) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = Glibc.read(fd, &chunk, chunk.count)
            if count < 0 {
                if errno == EINTR { continue }
                throw .unreadable(path: path, String(cString: strerror(errno)))
            }
            if count == 0 { break }
            bytes += chunk[0..<count]
            guard bytes.count <= 1 << 20 else { throw .unreadable(path: path, "larger than 1 MiB") }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .unreadable(path: path, "not UTF-8") }
        return text
    }

    public mutating func set(_ key: ConfigKey, _ value: String) throws(ConfigError) {
        try key.setting.parse(&self, value)
    }

    public func validate() throws(ConfigError) {
        // 128·N·r bytes per hash: keep one login under 256 MiB.
        guard 128 * scryptN * scryptR <= 256 << 20 else {
            throw .invalid(
                key: ConfigKey.scryptN.rawValue,
                value: String(scryptN),
                "scrypt_n × scrypt_r needs more than 256 MiB per login"
            )
        }
        _ = try self.tlsContext()
        let redisTLSFiles = [redisTLSCAFile, redisTLSCertificate, redisTLSKey].contains { !$0.isEmpty }
        if redisTLSFiles, !redisURL.hasPrefix("rediss://") {
            throw .invalid(
                key: ConfigKey.redisURL.rawValue,
                value: RedisConfiguration.redacted(url: redisURL),
                "redis_tls_* are set: use a rediss:// URL"
            )
        }
        guard redisTLSCertificate.isEmpty == redisTLSKey.isEmpty else {
            throw .invalid(
                key: ConfigKey.redisTLSCertificate.rawValue,
                value: redisTLSCertificate,
                "redis_tls_certificate and redis_tls_key go together"
            )
        }
    }

    /// Values that differ from `other` among keys that cannot change without a restart.
    /// The three scrypt keys are one cost, reported as scrypt_n.
    public func restartOnlyChanges(from other: ChatdConfig) -> [ConfigKey] {
        var changed: [ConfigKey] = []
        for key in ConfigKey.allCases {
            let setting = key.setting
            guard !setting.live, setting.format(self) != setting.format(other) else { continue }
            let reported: ConfigKey = (key == .scryptR || key == .scryptP) ? .scryptN : key
            if !changed.contains(reported) { changed.append(reported) }
        }
        return changed
    }

    public var server: ServerConfiguration {
        var server = ServerConfiguration()
        server.maxFrameSize = maxFrameSize
        server.shutdownTimeout = .seconds(shutdownTimeout)
        server.idleTimeout = .seconds(Int64(idleTimeout))
        server.loginTimeout = .seconds(Int64(loginTimeout))
        server.messageOfTheDay = motd
        server.controlIdleTimeout = .seconds(Int64(controlIdleTimeout))
        server.tokenLifetime = .seconds(tokenTTL)
        server.outboundQueueMax = outboundQueueMax
        server.requestsPerSecond = Double(rateLimit)
        server.requestBurst = Double(rateBurst)
        server.frameTimeout = .seconds(Int64(frameTimeout))
        server.loginFailuresPerUser = loginFailuresPerUser
        server.loginFailuresPerAddress = loginFailuresPerAddress
        server.loginWindow = .seconds(Int64(loginWindow))
        server.registrationOpen = registration == .open
        server.registrationsPerAddress = registrationsPerAddress
        server.maxSessionsPerUser = maxSessionsPerUser
        server.maxConnections = maxConnections
        server.connectionsPerAddress = connectionsPerAddress
        server.presenceTTL = .seconds(presenceTTL)
        server.presenceGrace = .seconds(presenceGrace)
        server.presenceNoticesMaxUsers = presenceNoticesMaxUsers
        return server
    }

    public var store: StoreConfiguration {
        var store = StoreConfiguration()
        store.keyPrefix = redisKeyPrefix
        store.seedUserHash = seedUserHash
        store.groupHistoryMax = historyMax
        store.historyPageMax = historyPageMax
        store.offlineMax = offlineMax
        store.scrypt = ScryptParameters(n: scryptN, r: scryptR, p: scryptP)
        return store
    }

    public func redis() throws -> RedisConfiguration {
        var redis = try RedisConfiguration(url: redisURL)
        if redis.tls != nil {
            redis.tls = RedisTLS(
                caFile: redisTLSCAFile.isEmpty ? nil : redisTLSCAFile,
                certificateFile: redisTLSCertificate.isEmpty ? nil : redisTLSCertificate,
                keyFile: redisTLSKey.isEmpty ? nil : redisTLSKey
            )
        }
        redis.poolSize = redisPoolSize
        redis.commandTimeout = .seconds(Int64(redisTimeout))
        return redis
    }
}

/// `HOST:PORT`, `[v6]:PORT`.
public struct HostPort: Equatable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { return nil }
        self.host = host
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
