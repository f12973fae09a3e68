/// Where to connect and as whom. Resolved once at start-up by `ClientConfig.resolve`.
public struct ClientConfig: Sendable, Equatable {
    public var server: ServerAddress
    public var user: Int?
    public var passwordFile: String?
    /// TLS to the server, verified as `ClientTLS` says; nil = plain TCP.
    public var tls: ClientTLS?
    /// A bell (BEL) when a private message arrives at the prompt; `bell = off` in the file silences it.
    public var bell: Bool

    public init(server: ServerAddress = .default, user: Int? = nil, passwordFile: String? = nil, tls: ClientTLS? = nil, bell: Bool = true) {
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
    /// on/off like `tls`; only from the file.
    public var bell: String?

    public init(server: String? = nil, user: String? = nil, passwordFile: String? = nil, tls: String? = nil, caFile: String? = nil,
                bell: String? = nil) {
        self.server = server
        self.user = user
        self.passwordFile = passwordFile
        self.tls = tls
        self.caFile = caFile
        self.bell = bell
    }

    /// `CHAT_SERVER`, `CHAT_USER`, `CHAT_PASSWORD_FILE`, `CHAT_TLS`, `CHAT_CA_FILE`; empty values count as unset.
    public static func environment(_ env: [String: String]) -> ConfigLayer {
        func value(_ key: String) -> String? { env[key].flatMap { $0.isEmpty ? nil : $0 } }
        return ConfigLayer(server: value("CHAT_SERVER"), user: value("CHAT_USER"), passwordFile: value("CHAT_PASSWORD_FILE"),
                           tls: value("CHAT_TLS"), caFile: value("CHAT_CA_FILE"))
    }

    /// Parses the config file: `key = value` lines, `#` comments, blank lines ignored.
    /// Unknown keys and lines without `=` are errors, so typos do not pass silently.
    public static func file(_ text: String, path: String) throws(ChatFailure) -> ConfigLayer {
        var layer = ConfigLayer()
        for (number, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            var line = Substring(rawLine)
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            let trimmed = line.trimmingWhitespace()
            if trimmed.isEmpty { continue }
            guard let eq = trimmed.firstIndex(of: "=") else {
                throw ChatFailure(.usage, "\(path):\(number + 1): expected `key = value`")
            }
            let key = trimmed[..<eq].trimmingWhitespace()
            let value = String(trimmed[trimmed.index(after: eq)...].trimmingWhitespace())
            switch key {
            case "server": layer.server = value
            case "user": layer.user = value
            case "password_file": layer.passwordFile = value
            case "tls": layer.tls = value
            case "ca_file": layer.caFile = value
            case "bell": layer.bell = value
            default: throw ChatFailure(.usage, "\(path):\(number + 1): unknown key `\(key)`")
            }
        }
        return layer
    }
}

extension ClientConfig {
    /// Flags > environment > config file > defaults, field by field. Pure, so it is unit-tested.
    public static func resolve(flags: ConfigLayer, environment: ConfigLayer, file: ConfigLayer) throws(ChatFailure) -> ClientConfig {
        let layers = [flags, environment, file]
        var config = ClientConfig()
        if let server = layers.lazy.compactMap(\.server).first {
            guard let address = ServerAddress(parsing: server) else {
                throw ChatFailure(.usage, "invalid server address `\(server)` (expected HOST:PORT)")
            }
            config.server = address
        }
        if let user = layers.lazy.compactMap(\.user).first {
            guard let id = Int(user) else { throw ChatFailure(.usage, "invalid user id `\(user)` (expected a number)") }
            config.user = id
        }
        config.passwordFile = layers.lazy.compactMap(\.passwordFile).first
        // A CA file means TLS unless TLS is explicitly off; `tls` alone means the system's CAs.
        let caFile = layers.lazy.compactMap(\.caFile).first
        switch try layers.lazy.compactMap(\.tls).first.map({ text throws(ChatFailure) in try Self.parseSwitch(text, key: "tls") }) {
        case false?: config.tls = nil
        case true?: config.tls = ClientTLS(caFile: caFile)
        case nil: config.tls = caFile.map { ClientTLS(caFile: $0) }
        }
        if let bell = layers.lazy.compactMap(\.bell).first { config.bell = try Self.parseSwitch(bell, key: "bell") }
        return config
    }

    static func parseSwitch(_ text: String, key: String) throws(ChatFailure) -> Bool {
        switch text.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw ChatFailure(.usage, "invalid \(key) setting `\(text)` (expected true or false)")
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
        guard !host.isEmpty, let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port) else { return nil }
        self.host = String(host)
        self.port = port
    }

    public var description: String { self.host.contains(":") ? "[\(self.host)]:\(self.port)" : "\(self.host):\(self.port)" }
}

extension Substring {
    func trimmingWhitespace() -> Substring {
        var s = self
        while let first = s.first, first.isWhitespace { s.removeFirst() }
        while let last = s.last, last.isWhitespace { s.removeLast() }
        return s
    }
}
