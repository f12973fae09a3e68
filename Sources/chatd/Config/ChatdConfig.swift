// SPDX-License-Identifier: Apache-2.0
import ChatServer
import ChatStore
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Logging
import NIOCore
import RedisClient

/// chatd's whole configuration, resolved from flags > environment > file > defaults.
struct ChatdConfig: Equatable {
    var listen = HostPort(host: "0.0.0.0", port: 8889)
    /// The TLS chat address to bind when systemd passes no `chat-tls` socket; nil = none.
    var tlsListen: HostPort?
    /// PEM paths of the TLS certificate (chain) and its key; see TLSSettings.swift.
    var tlsCertificate = ""
    var tlsKey = ""
    var controlSocket = "/run/chatd/control.sock"
    /// The Prometheus endpoint to bind when systemd passes no `metrics` socket; nil = none.
    var metricsListen: HostPort?
    var adminGroup = "chatadm"
    var adminUsers: [String] = []
    var controlIdleTimeout = 60
    var redisURL = "redis://127.0.0.1:6379"
    /// A file holding the Redis password (a systemd credential); overrides one in redis_url.
    /// Empty: `$CREDENTIALS_DIRECTORY/redis-password` when that exists.
    var redisPasswordFile = ""
    /// With a rediss:// URL: the CA that signs Redis's certificate (empty: the system's),
    /// and a client certificate and key when Redis asks for one.
    var redisTLSCAFile = ""
    var redisTLSCertificate = ""
    var redisTLSKey = ""
    var redisKeyPrefix = "chat:"
    var redisPoolSize = 4
    var redisTimeout = 5
    var seedUserHash = "user"
    var maxFrameSize = 65536
    var idleTimeout = 600
    var loginTimeout = 10
    var historyMax = 100_000
    var historyPageMax = 200
    var offlineMax = 100
    var scryptN = 131_072
    var scryptR = 8
    var scryptP = 1
    var logLevel = Logger.Level.info
    var logTarget = LogTarget.auto
    var shutdownTimeout = 10
    var motd = ""
    var tokenTTL = 7 * 24 * 3600
    /// The resume tokens' HMAC key (a systemd credential). Empty: `$CREDENTIALS_DIRECTORY/token-key`
    /// when that exists, else a key kept in Redis (a developer's setup: whoever reads Redis can forge tokens).
    var tokenKeyFile = ""
    var outboundQueueMax = 256 * 1024
    var rateLimit = 10
    var rateBurst = 30
    var frameTimeout = 30
    var loginFailuresPerUser = 5
    var loginFailuresPerAddress = 20
    var loginWindow = 60
    /// Whether anyone may register (`RegisterMes`); closed: administrators add users with chatctl.
    var registration = Registration.closed
    var registrationsPerAddress = 10
    var maxSessionsPerUser = 16
    var maxConnections = 50_000
    var connectionsPerAddress = 32
    var presenceTTL = 15
    var presenceGrace = 5
    var presenceNoticesMaxUsers = 1000

    enum LogTarget: String, Equatable { case auto, journal, stderr }
    enum Registration: String, Equatable { case open, closed }

    static let defaultPath = "/etc/chatd/chatd.conf"

    /// Resolves the configuration. `path` nil means the default file if it exists.
    /// Every error about a value names where it came from: `file:line`, `CHATD_…` or `--…`.
    static func load(path: String?, environment: [String: String], overrides: [ConfigKey: Override]) throws(ConfigError) -> ChatdConfig {
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
    struct Override: Equatable, Sendable {
        var flag: String
        var value: String
    }

    /// The file's text; plain POSIX reads, so that /dev/null and pipes work too.
    static func read(_ path: String) throws(ConfigError) -> String {
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

    mutating func set(_ key: ConfigKey, _ value: String) throws(ConfigError) {
        func int(_ range: ClosedRange<Int>) throws(ConfigError) -> Int {
            guard let number = Int(value), range.contains(number) else {
                throw .invalid(key: key.rawValue, value: value, "expected a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            return number
        }
        switch key {
        case .listen:
            guard let hostPort = HostPort(value) else { throw .invalid(key: key.rawValue, value: value, "expected HOST:PORT") }
            self.listen = hostPort
        case .tlsListen:
            guard !value.isEmpty else { self.tlsListen = nil; return }
            guard let hostPort = HostPort(value) else { throw .invalid(key: key.rawValue, value: value, "expected HOST:PORT, or nothing for no TLS listener") }
            self.tlsListen = hostPort
        case .tlsCertificate: self.tlsCertificate = value
        case .tlsKey: self.tlsKey = value
        case .metricsListen:
            guard !value.isEmpty else { self.metricsListen = nil; return }
            guard let hostPort = HostPort(value) else { throw .invalid(key: key.rawValue, value: value, "expected HOST:PORT, or nothing for no metrics endpoint") }
            self.metricsListen = hostPort
        case .controlSocket:
            guard value.hasPrefix("/") else { throw .invalid(key: key.rawValue, value: value, "expected an absolute path") }
            self.controlSocket = value
        case .adminGroup: self.adminGroup = value
        case .adminUsers: self.adminUsers = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        case .controlIdleTimeout: self.controlIdleTimeout = try int(0...86_400)
        case .redisURL:
            // The value is quoted in the error, which reaches stderr, the journal and
            // `chatctl reload`: never with its password.
            do { _ = try RedisConfiguration(url: value) } catch {
                throw .invalid(key: key.rawValue, value: RedisConfiguration.redacted(url: value), "\(error)")
            }
            self.redisURL = value
        case .redisPasswordFile:
            guard value.isEmpty || value.hasPrefix("/") else { throw .invalid(key: key.rawValue, value: value, "expected an absolute path") }
            self.redisPasswordFile = value
        case .redisTLSCAFile, .redisTLSCertificate, .redisTLSKey:
            guard value.isEmpty || value.hasPrefix("/") else { throw .invalid(key: key.rawValue, value: value, "expected an absolute path") }
            switch key {
            case .redisTLSCAFile: self.redisTLSCAFile = value
            case .redisTLSCertificate: self.redisTLSCertificate = value
            default: self.redisTLSKey = value
            }
        case .redisKeyPrefix: self.redisKeyPrefix = value
        case .redisPoolSize: self.redisPoolSize = try int(1...64)
        case .redisTimeout: self.redisTimeout = try int(1...300)
        case .seedUserHash: self.seedUserHash = value
        case .maxFrameSize: self.maxFrameSize = try int(256...(16 << 20))
        case .idleTimeout: self.idleTimeout = try int(0...86_400)
        case .loginTimeout: self.loginTimeout = try int(0...3_600)
        case .historyMax: self.historyMax = try int(100...100_000_000)
        case .historyPageMax: self.historyPageMax = try int(1...10_000)
        case .offlineMax: self.offlineMax = try int(0...10_000)
        case .scryptN:
            let n = try int(2...(1 << 20))
            guard n & (n - 1) == 0 else { throw .invalid(key: key.rawValue, value: value, "must be a power of two") }
            self.scryptN = n
        case .scryptR: self.scryptR = try int(1...32)
        case .scryptP: self.scryptP = try int(1...16)
        case .logLevel:
            guard let level = Logger.Level(rawValue: value.lowercased()) else {
                throw .invalid(key: key.rawValue, value: value, "expected trace, debug, info, notice, warning, error or critical")
            }
            self.logLevel = level
        case .logTarget:
            guard let target = LogTarget(rawValue: value.lowercased()) else {
                throw .invalid(key: key.rawValue, value: value, "expected auto, journal or stderr")
            }
            self.logTarget = target
        case .shutdownTimeout: self.shutdownTimeout = try int(1...600)
        case .motd: self.motd = value
        case .tokenTTL: self.tokenTTL = try int(0...(365 * 24 * 3600))
        case .tokenKeyFile:
            guard value.isEmpty || value.hasPrefix("/") else { throw .invalid(key: key.rawValue, value: value, "expected an absolute path") }
            self.tokenKeyFile = value
        case .registration:
            guard let mode = Registration(rawValue: value.lowercased()) else {
                throw .invalid(key: key.rawValue, value: value, "expected open or closed")
            }
            self.registration = mode
        case .outboundQueueMax: self.outboundQueueMax = try int(4096...(64 << 20))
        case .rateLimit: self.rateLimit = try int(0...100_000)
        case .rateBurst: self.rateBurst = try int(1...100_000)
        case .frameTimeout: self.frameTimeout = try int(0...3_600)
        case .loginFailuresPerUser: self.loginFailuresPerUser = try int(0...100_000)
        case .loginFailuresPerAddress: self.loginFailuresPerAddress = try int(0...100_000)
        case .loginWindow: self.loginWindow = try int(1...86_400)
        case .registrationsPerAddress: self.registrationsPerAddress = try int(0...100_000)
        case .maxSessionsPerUser: self.maxSessionsPerUser = try int(1...10_000)
        case .maxConnections: self.maxConnections = try int(1...10_000_000)
        case .connectionsPerAddress: self.connectionsPerAddress = try int(0...10_000_000)
        case .presenceTTL: self.presenceTTL = try int(2...3_600)
        case .presenceGrace: self.presenceGrace = try int(0...3_600)
        case .presenceNoticesMaxUsers: self.presenceNoticesMaxUsers = try int(0...100_000_000)
        }
    }

    func validate() throws(ConfigError) {
        // 128·N·r bytes per hash: keep one login under 256 MiB.
        guard 128 * scryptN * scryptR <= 256 << 20 else {
            throw .invalid(key: ConfigKey.scryptN.rawValue, value: String(scryptN), "scrypt_n × scrypt_r needs more than 256 MiB per login")
        }
        _ = try self.tlsContext()
        let redisTLSFiles = [redisTLSCAFile, redisTLSCertificate, redisTLSKey].contains { !$0.isEmpty }
        if redisTLSFiles, !redisURL.hasPrefix("rediss://") {
            throw .invalid(key: ConfigKey.redisURL.rawValue, value: RedisConfiguration.redacted(url: redisURL),
                           "redis_tls_* are set: use a rediss:// URL")
        }
        guard redisTLSCertificate.isEmpty == redisTLSKey.isEmpty else {
            throw .invalid(key: ConfigKey.redisTLSCertificate.rawValue, value: redisTLSCertificate, "redis_tls_certificate and redis_tls_key go together")
        }
    }

    /// Values that differ from `other` among keys that cannot change without a restart.
    func restartOnlyChanges(from other: ChatdConfig) -> [ConfigKey] {
        var changed: [ConfigKey] = []
        if listen != other.listen { changed.append(.listen) }
        if tlsListen != other.tlsListen { changed.append(.tlsListen) }
        if tlsCertificate != other.tlsCertificate { changed.append(.tlsCertificate) }
        if tlsKey != other.tlsKey { changed.append(.tlsKey) }
        if controlSocket != other.controlSocket { changed.append(.controlSocket) }
        if metricsListen != other.metricsListen { changed.append(.metricsListen) }
        if redisURL != other.redisURL { changed.append(.redisURL) }
        if redisPasswordFile != other.redisPasswordFile { changed.append(.redisPasswordFile) }
        if redisTLSCAFile != other.redisTLSCAFile { changed.append(.redisTLSCAFile) }
        if redisTLSCertificate != other.redisTLSCertificate { changed.append(.redisTLSCertificate) }
        if redisTLSKey != other.redisTLSKey { changed.append(.redisTLSKey) }
        if redisKeyPrefix != other.redisKeyPrefix { changed.append(.redisKeyPrefix) }
        if redisPoolSize != other.redisPoolSize { changed.append(.redisPoolSize) }
        if redisTimeout != other.redisTimeout { changed.append(.redisTimeout) }
        if seedUserHash != other.seedUserHash { changed.append(.seedUserHash) }
        if historyMax != other.historyMax { changed.append(.historyMax) }
        if historyPageMax != other.historyPageMax { changed.append(.historyPageMax) }
        if offlineMax != other.offlineMax { changed.append(.offlineMax) }
        if (scryptN, scryptR, scryptP) != (other.scryptN, other.scryptR, other.scryptP) { changed.append(.scryptN) }
        if logTarget != other.logTarget { changed.append(.logTarget) }
        if tokenKeyFile != other.tokenKeyFile { changed.append(.tokenKeyFile) }
        if loginWindow != other.loginWindow { changed.append(.loginWindow) }
        if presenceTTL != other.presenceTTL { changed.append(.presenceTTL) }
        return changed
    }

    var server: ServerConfiguration {
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

    var store: StoreConfiguration {
        var store = StoreConfiguration()
        store.keyPrefix = redisKeyPrefix
        store.seedUserHash = seedUserHash
        store.groupHistoryMax = historyMax
        store.historyPageMax = historyPageMax
        store.offlineMax = offlineMax
        store.scrypt = ScryptParameters(n: scryptN, r: scryptR, p: scryptP)
        return store
    }

    func redis() throws -> RedisConfiguration {
        var redis = try RedisConfiguration(url: redisURL)
        if redis.tls != nil {
            redis.tls = RedisTLS(caFile: redisTLSCAFile.isEmpty ? nil : redisTLSCAFile,
                                 certificateFile: redisTLSCertificate.isEmpty ? nil : redisTLSCertificate,
                                 keyFile: redisTLSKey.isEmpty ? nil : redisTLSKey)
        }
        redis.poolSize = redisPoolSize
        redis.commandTimeout = .seconds(Int64(redisTimeout))
        return redis
    }
}

/// `HOST:PORT`, `[v6]:PORT`.
struct HostPort: Equatable, CustomStringConvertible {
    var host: String
    var port: Int

    init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { return nil }
        self.host = host
        self.port = port
    }

    var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
