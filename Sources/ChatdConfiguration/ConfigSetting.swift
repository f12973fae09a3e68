// SPDX-License-Identifier: Apache-2.0
import Foundation
import Logging
import RedisClient

/// How one key's value is read into `ChatdConfig`, spelt back as the file would have
/// it, and whether a reload applies it. The default is the `ChatdConfig` property's
/// initial value; `ConfigKey.setting` is the one table of these.
public struct ConfigSetting {
    /// Takes effect on reload (SIGHUP); otherwise a change is reported as needing a restart.
    public let live: Bool
    public let parse: (inout ChatdConfig, String) throws(ConfigError) -> Void
    /// The value as `chatd.conf` spells it (etc/chatd/chatd.conf lists each default so).
    public let format: (ChatdConfig) -> String
}

extension ConfigKey {
    /// Every key's kind, range and liveness; the switch makes the compiler check each key has one.
    public var setting: ConfigSetting {
        switch self {
        case .listen: hostPort(\.listen, live: false)
        case .tlsListen: optionalHostPort(\.tlsListen, or: "no TLS listener")
        case .tlsCertificate: text(\.tlsCertificate, live: false)
        case .tlsKey: text(\.tlsKey, live: false)
        case .controlSocket: path(\.controlSocket, emptyAllowed: false)
        case .metricsListen: optionalHostPort(\.metricsListen, or: "no metrics endpoint")
        case .adminGroup: text(\.adminGroup, live: true)
        case .adminUsers: list(\.adminUsers, live: true)
        case .controlIdleTimeout: int(\.controlIdleTimeout, 0...86_400, live: true)
        case .redisURL: redisURL()
        case .redisKeyPrefix: text(\.redisKeyPrefix, live: false)
        case .redisPasswordFile: path(\.redisPasswordFile, emptyAllowed: true)
        case .redisTLSCAFile: path(\.redisTLSCAFile, emptyAllowed: true)
        case .redisTLSCertificate: path(\.redisTLSCertificate, emptyAllowed: true)
        case .redisTLSKey: path(\.redisTLSKey, emptyAllowed: true)
        case .redisPoolSize: int(\.redisPoolSize, 1...64, live: false)
        case .redisTimeout: int(\.redisTimeout, 1...300, live: false)
        case .seedUserHash: text(\.seedUserHash, live: false)
        case .maxFrameSize: int(\.maxFrameSize, 256...(16 << 20), live: true)
        case .idleTimeout: int(\.idleTimeout, 0...86_400, live: true)
        case .loginTimeout: int(\.loginTimeout, 0...3_600, live: true)
        case .historyMax: int(\.historyMax, 100...100_000_000, live: false)
        case .historyPageMax: int(\.historyPageMax, 1...10_000, live: false)
        case .offlineMax: int(\.offlineMax, 0...10_000, live: false)
        case .scryptN: int(\.scryptN, 2...(1 << 20), live: false, powerOfTwo: true)
        case .scryptR: int(\.scryptR, 1...32, live: false)
        case .scryptP: int(\.scryptP, 1...16, live: false)
        case .logLevel:
            choice(\.logLevel, "expected trace, debug, info, notice, warning, error or critical", live: true)
        case .logTarget: choice(\.logTarget, "expected auto, journal or stderr", live: false)
        case .shutdownTimeout: int(\.shutdownTimeout, 1...600, live: true)
        case .tokenTTL: int(\.tokenTTL, 0...(365 * 24 * 3600), live: true)
        case .tokenKeyFile: path(\.tokenKeyFile, emptyAllowed: true)
        case .outboundQueueMax: int(\.outboundQueueMax, 4096...(64 << 20), live: true)
        case .rateLimit: int(\.rateLimit, 0...100_000, live: true)
        case .rateBurst: int(\.rateBurst, 1...100_000, live: true)
        case .frameTimeout: int(\.frameTimeout, 0...3_600, live: true)
        case .loginFailuresPerUser: int(\.loginFailuresPerUser, 0...100_000, live: true)
        case .loginFailuresPerAddress: int(\.loginFailuresPerAddress, 0...100_000, live: true)
        case .loginWindow: int(\.loginWindow, 1...86_400, live: false)
        case .registration: choice(\.registration, "expected open or closed", live: true)
        case .registrationsPerAddress: int(\.registrationsPerAddress, 0...100_000, live: true)
        case .maxSessionsPerUser: int(\.maxSessionsPerUser, 1...10_000, live: true)
        case .maxConnections: int(\.maxConnections, 1...10_000_000, live: true)
        case .connectionsPerAddress: int(\.connectionsPerAddress, 0...10_000_000, live: true)
        case .presenceTTL: int(\.presenceTTL, 2...3_600, live: false)
        case .presenceGrace: int(\.presenceGrace, 0...3_600, live: true)
        case .presenceNoticesMaxUsers: int(\.presenceNoticesMaxUsers, 0...100_000_000, live: true)
        case .motd: text(\.motd, live: true)
        }
    }

    private func invalid(_ value: String, _ why: String) -> ConfigError {
        .invalid(key: rawValue, value: value, why)
    }

    private func int(
        _ field: WritableKeyPath<ChatdConfig, Int>,
        _ range: ClosedRange<Int>,
        live: Bool,
        powerOfTwo: Bool = false
    ) -> ConfigSetting {
        ConfigSetting(
            live: live,
            parse: { (config: inout ChatdConfig, value: String) throws(ConfigError) in
                guard let number = Int(value), range.contains(number) else {
                    throw invalid(value, "expected a whole number from \(range.lowerBound) to \(range.upperBound)")
                }
                guard !powerOfTwo || number & (number - 1) == 0 else { throw invalid(value, "must be a power of two") }
                config[keyPath: field] = number
            },
            format: { String($0[keyPath: field]) }
        )
    }

    private func text(_ field: WritableKeyPath<ChatdConfig, String>, live: Bool) -> ConfigSetting {
        ConfigSetting(
            live: live,
            parse: { (config: inout ChatdConfig, value: String) throws(ConfigError) in
                config[keyPath: field] = value
            },
            format: { $0[keyPath: field] }
        )
    }

    /// Paths are absolute: chatd runs with `/` as its working directory.
    private func path(_ field: WritableKeyPath<ChatdConfig, String>, emptyAllowed: Bool) -> ConfigSetting {
        ConfigSetting(
            live: false,
            parse: { (config: inout ChatdConfig, value: String) throws(ConfigError) in
                guard (emptyAllowed && value.isEmpty) || value.hasPrefix("/") else {
                    throw invalid(value, "expected an absolute path")
                }
                config[keyPath: field] = value
            },
            format: { $0[keyPath: field] }
        )
    }

    /// Comma-separated; blanks around and between commas are dropped.
    private func list(_ field: WritableKeyPath<ChatdConfig, [String]>, live: Bool) -> ConfigSetting {
        ConfigSetting(
            live: live,
            parse: { (config: inout ChatdConfig, value: String) throws(ConfigError) in
                config[keyPath: field] = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                    .filter { !$0.isEmpty }
            },
            format: { $0[keyPath: field].joined(separator: ",") }
        )
    }

    private func hostPort(_ field: WritableKeyPath<ChatdConfig, HostPort>, live: Bool) -> ConfigSetting {
        ConfigSetting(
            live: live,
            parse: { (config: inout ChatdConfig, value: String) throws(ConfigError) in
                guard let hostPort = HostPort(value) else { throw invalid(value, "expected HOST:PORT") }
                config[keyPath: field] = hostPort
            },
            format: { $0[keyPath: field].description }
        )
    }

    /// Empty: nothing bound (`absent` says what that means, in the error).
    private func optionalHostPort(_ field: WritableKeyPath<ChatdConfig, HostPort?>, or absent: String) -> ConfigSetting
    {
        ConfigSetting(
            live: false,
            parse: { (config: inout ChatdConfig, value: String) throws(ConfigError) in
                guard !value.isEmpty else {
                    config[keyPath: field] = nil
                    return
                }
                guard let hostPort = HostPort(value) else {
                    throw invalid(value, "expected HOST:PORT, or nothing for \(absent)")
                }
                config[keyPath: field] = hostPort
            },
            format: { $0[keyPath: field]?.description ?? "" }
        )
    }

    /// One of an enum's raw values, in any case.
    private func choice<Value: RawRepresentable<String>>(
        _ field: WritableKeyPath<ChatdConfig, Value>,
        _ expected: String,
        live: Bool
    ) -> ConfigSetting {
        ConfigSetting(
            live: live,
            parse: { (config: inout ChatdConfig, value: String) throws(ConfigError) in
                guard let choice = Value(rawValue: value.lowercased()) else { throw invalid(value, expected) }
                config[keyPath: field] = choice
            },
            format: { $0[keyPath: field].rawValue }
        )
    }

    /// The value is quoted in the error, which reaches stderr, the journal and
    /// `chatctl reload`: never with its password.
    private func redisURL() -> ConfigSetting {
        ConfigSetting(
            live: false,
            parse: { (config: inout ChatdConfig, value: String) throws(ConfigError) in
                do { _ = try RedisConfiguration(url: value) } catch {
                    throw invalid(RedisConfiguration.redacted(url: value), "\(error)")
                }
                config.redisURL = value
            },
            format: { $0.redisURL }
        )
    }
}
