// SPDX-License-Identifier: Apache-2.0
import Logging

/// Keeps credentials out of logs: both handlers pass metadata through here.
public enum LogRedaction {
    public static let replacement = "<redacted>"

    /// Substrings that mark a key as secret (case-insensitive): `user_password`,
    /// `apiToken`, `pwd_hash`, `userpwd`, …
    public static let secretMarkers = ["password", "pwd", "token", "hash", "secret"]

    public static func isSecret(key: String) -> Bool {
        let lowered = key.lowercased()
        return secretMarkers.contains { lowered.contains($0) }
    }

    /// `value` with every secret key's value replaced, including inside nested dictionaries.
    public static func redact(key: String, _ value: Logger.MetadataValue) -> Logger.MetadataValue {
        if isSecret(key: key) { return .string(replacement) }
        switch value {
        case .dictionary(let dict):
            return .dictionary(dict.reduce(into: [:]) { $0[$1.key] = redact(key: $1.key, $1.value) })
        case .array(let array):
            return .array(array.map { redact(key: "", $0) })
        case .string, .stringConvertible:
            return value
        }
    }
}
