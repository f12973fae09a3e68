// SPDX-License-Identifier: Apache-2.0
/// Maps swift-log metadata keys to journal field names.
///
/// Journal field names allow only `A-Z`, `0-9`, `_`, must not start with a digit or `_`
/// (underscore fields are trusted, set by journald itself) and are at most 64 bytes.
/// Our fields get a `CHAT_` prefix so they never collide with systemd's own
/// (`MESSAGE`, `PRIORITY`, …) and are easy to query: `journalctl CHAT_USER_ID=42`.
public enum JournalFieldName {
    public static let prefix = "CHAT_"
    public static let maxLength = 64
    /// Admin fields that are queried under their own names across our services.
    public static let unprefixed: Set<String> = ["ADMIN_UID"]

    /// `user_id` → `CHAT_USER_ID`, `chat.event` → `CHAT_EVENT`, `session-id` → `CHAT_SESSION_ID`.
    public static func forMetadataKey(_ key: String) -> String {
        var name = ""
        for scalar in key.uppercased().unicodeScalars {
            let allowed = ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "_"
            name.unicodeScalars.append(allowed ? scalar : "_")
        }
        // The prefix also makes names starting with a digit or `_` valid.
        if !name.hasPrefix(prefix) && !unprefixed.contains(name) {
            name = prefix + name
        }
        return String(name.prefix(maxLength))  // ASCII only by now, so characters = bytes
    }
}
