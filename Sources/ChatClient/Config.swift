// SPDX-License-Identifier: Apache-2.0
import ConfigSyntax

/// Where to connect and as whom. Resolved once at start-up by `ClientConfig.resolve`.
public struct ClientConfig: Sendable, Equatable {
    public var server: ServerAddress
    public var user: Int?
    public var passwordFile: String?
    /// TLS to the server, verified as `ClientTLS` says; nil = plain TCP.
    public var tls: ClientTLS?
    /// A bell (BEL) when a private message arrives at the prompt; `bell = off` in the file silences it.
    public var bell: Bool

    public init(
        server: ServerAddress = .default,
        user: Int? = nil,
        passwordFile: String? = nil,
        tls: ClientTLS? = nil,
        bell: Bool = true
    ) {
        self.server = server
        self.user = user
        self.passwordFile = passwordFile
        self.tls = tls
        self.bell = bell
    }
}

/// Raw, unvalidated settings from one source (flags, environment or file).
public struct ConfigLayer: Sendable, Equatable {
    public var server: String?
    public var user: String?
    public var passwordFile: String?
    /// `true`/`false` (also 1/0, yes/no, on/off), checked by `resolve`.
    public var tls: String?
    public var caFile: String?
    /// Where each value came from, by config key (`password_file`): `path:line`, `CHAT_…` or
    /// `--…`, so that `resolve`'s errors say where to fix it.
    public var origins: [String: String]
    /// on/off like `tls`.
    public var bell: String?

    public init(
        server: String? = nil,
        user: String? = nil,
        passwordFile: String? = nil,
        tls: String? = nil,
        caFile: String? = nil,
        bell: String? = nil,
        origins: [String: String] = [:]
    ) {
        self.server = server
        self.user = user
        self.passwordFile = passwordFile
        self.tls = tls
        self.caFile = caFile
        self.origins = origins
        self.bell = bell
    }

    /// The config keys; the environment's names are `CHAT_` and the key in upper case, the flags'
    /// `--` and the key with dashes.
    static var keys: [(key: String, field: WritableKeyPath<ConfigLayer, String?>)] {
        [
            ("server", \.server), ("user", \.user), ("password_file", \.passwordFile), ("tls", \.tls),
            ("ca_file", \.caFile), ("bell", \.bell),
        ]
    }

    /// The command line's values, each named by its flag in errors.
    public static func flags(
        server: String?,
        user: String?,
        passwordFile: String?,
        tls: Bool?,
        caFile: String?
    ) -> ConfigLayer {
        var layer = ConfigLayer(
            server: server,
            user: user,
            passwordFile: passwordFile,
            tls: tls.map { $0 ? "true" : "false" },
            caFile: caFile
        )
        for (key, field) in Self.keys where layer[keyPath: field] != nil {
            layer.origins[key] = "--" + key.replacingUnderscores()
        }
        return layer
    }

    /// `CHAT_SERVER`, `CHAT_USER`, `CHAT_PASSWORD_FILE`, `CHAT_TLS`, `CHAT_CA_FILE`; empty values count as unset.
    public static func environment(_ env: [String: String]) -> ConfigLayer {
        var layer = ConfigLayer()
        for (key, field) in Self.keys {
            let name = "CHAT_" + key.uppercased()
            guard let value = env[name], !value.isEmpty else { continue }
            layer[keyPath: field] = value
            layer.origins[key] = name
        }
        return layer
    }

    /// Parses the config file, in the syntax chatd's uses too (see `ConfigParser`).
    public static func file(_ text: String, path: String) throws(ChatFailure) -> ConfigLayer {
        let entries: [String: ConfigEntry]
        do {
            entries = try ConfigParser.parse(text, path: path, keys: Set(Self.keys.map(\.key)))
        } catch {
            throw ChatFailure(.usage, error.description)
        }
        var layer = ConfigLayer()
        for (key, field) in Self.keys {
            guard let entry = entries[key] else { continue }
            layer[keyPath: field] = entry.value
            layer.origins[key] = "\(path):\(entry.line)"
        }
        return layer
    }
}

extension ClientConfig {
    /// Flags > environment > config file > defaults, field by field. Pure, so it is unit-tested.
    public static func resolve(
        flags: ConfigLayer,
        environment: ConfigLayer,
        file: ConfigLayer
    ) throws(ChatFailure) -> ClientConfig {
        let layers = [flags, environment, file]
        /// The first layer's value and, for errors, where it came from (`cfg:3: `).
        func pick(_ key: String, _ field: KeyPath<ConfigLayer, String?>) -> (value: String, origin: String)? {
            guard let layer = layers.first(where: { $0[keyPath: field] != nil }), let value = layer[keyPath: field]
            else { return nil }
            return (value, layer.origins[key].map { $0 + ": " } ?? "")
        }
        var config = ClientConfig()
        if let (server, origin) = pick("server", \.server) {
            guard let address = ServerAddress(parsing: server) else {
                throw ChatFailure(.usage, "\(origin)invalid server address `\(server)` (expected HOST:PORT)")
            }
            config.server = address
        }
        if let (user, origin) = pick("user", \.user) {
            guard let id = Int(user) else {
                throw ChatFailure(.usage, "\(origin)invalid user id `\(user)` (expected a number)")
            }
            config.user = id
        }
        config.passwordFile = pick("password_file", \.passwordFile)?.value
        // A CA file means TLS unless TLS is explicitly off; `tls` alone means the system's CAs.
        let caFile = pick("ca_file", \.caFile)?.value
        if let bell = pick("bell", \.bell) { config.bell = try Self.parseSwitch(bell, key: "bell") }
        switch try pick("tls", \.tls).map({ setting throws(ChatFailure) in try Self.parseSwitch(setting, key: "tls") })
        {
        case false?: config.tls = nil
        case true?: config.tls = ClientTLS(caFile: caFile)
        case nil: config.tls = caFile.map { ClientTLS(caFile: $0) }
        }
        return config
    }

    static func parseSwitch(_ setting: (value: String, origin: String), key: String) throws(ChatFailure) -> Bool {
        switch setting.value.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default:
            throw ChatFailure(
                .usage,
                "\(setting.origin)invalid \(key) setting `\(setting.value)` (expected true or false)"
            )
        }
    }

    /// `$XDG_CONFIG_HOME/chat/config`, else `$HOME/.config/chat/config`; nil without either.
    public static func filePath(environment env: [String: String]) -> String? {
        if let xdg = env["XDG_CONFIG_HOME"], xdg.hasPrefix("/") { return xdg + "/chat/config" }
        if let home = env["HOME"], !home.isEmpty { return home + "/.config/chat/config" }
        return nil
    }
}

/// `HOST:PORT`; IPv6 hosts in brackets (`[::1]:8889`).
public struct ServerAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public static let `default` = ServerAddress(host: "127.0.0.1", port: 8889)

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public init?(parsing text: String) {
        guard let colon = text.lastIndex(of: ":") else { return nil }
        var host = Substring(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        guard !host.isEmpty, let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port) else {
            return nil
        }
        self.host = String(host)
        self.port = port
    }

    public var description: String {
        self.host.contains(":") ? "[\(self.host)]:\(self.port)" : "\(self.host):\(self.port)"
    }
}

extension String {
    fileprivate func replacingUnderscores() -> String { String(self.map { $0 == "_" ? "-" : $0 }) }
}

extension Substring {
    func trimmingWhitespace() -> Substring {
        var s = self
        while let first = s.first, first.isWhitespace { s.removeFirst() }
        while let last = s.last, last.isWhitespace { s.removeLast() }
        return s
    }
}
