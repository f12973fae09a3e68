// SPDX-License-Identifier: Apache-2.0
import Foundation

/// Secrets chatd reads from files rather than from the config file or Redis: systemd
/// credentials (`LoadCredential=`, found in `$CREDENTIALS_DIRECTORY`), or the paths the
/// config names. Read once at start; never logged.
public struct Credentials: Sendable {
    /// The resume tokens' HMAC key; nil: a key kept in Redis (a developer's setup).
    public var tokenKey: Data?
    /// Overrides a password in `redis_url`.
    public var redisPassword: String?

    /// Whoever can read Redis must not be able to forge a token: a shorter key is refused.
    public static let minimumTokenKeyBytes = 32

    public static func load(_ config: ChatdConfig, environment: [String: String]) throws(ConfigError) -> Credentials {
        var credentials = Credentials()
        if let key = try Self.read(
            ConfigKey.tokenKeyFile,
            path: config.tokenKeyFile,
            credential: "token-key",
            environment
        ) {
            guard key.utf8.count >= minimumTokenKeyBytes else {
                throw .unreadable(
                    path: Self.path(config.tokenKeyFile, "token-key", environment),
                    "the token key must be at least \(minimumTokenKeyBytes) bytes (e.g. head -c 48 /dev/urandom | base64 -w0)"
                )
            }
            credentials.tokenKey = Data(key.utf8)
        }
        if let password = try Self.read(
            ConfigKey.redisPasswordFile,
            path: config.redisPasswordFile,
            credential: "redis-password",
            environment
        ),
            !password.isEmpty
        {
            credentials.redisPassword = password
        }
        return credentials
    }

    /// The configured file (which must exist), else the systemd credential if there is one.
    /// Trailing white space (an editor's newline) is not part of the secret.
    private static func read(
        _ key: ConfigKey,
        path: String,
        credential: String,
        _ environment: [String: String]
    ) throws(ConfigError) -> String? {
        let file = Self.path(path, credential, environment)
        guard !file.isEmpty else { return nil }
        if path.isEmpty, !FileManager.default.fileExists(atPath: file) { return nil }
        var text = try ChatdConfig.read(file)
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return text
    }

    private static func path(_ configured: String, _ credential: String, _ environment: [String: String]) -> String {
        if !configured.isEmpty { return configured }
        guard let directory = environment["CREDENTIALS_DIRECTORY"], !directory.isEmpty else { return "" }
        return directory + "/" + credential
    }
}
