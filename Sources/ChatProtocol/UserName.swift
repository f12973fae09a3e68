// SPDX-License-Identifier: Apache-2.0
/// What a user name may be. The store enforces it when a user is created (so every
/// way of creating one gets it); clients check it first for a clearer message.
public enum UserName {
    /// Counted in UTF-8 bytes: a count of characters would let one "character" of
    /// 25,000 combining marks through.
    public static let maxBytes = 64

    /// Why `name` cannot be a user name, in words for the person who chose it; nil if it can.
    /// 1 to `maxBytes` bytes of UTF-8, no `TerminalText.isControl` scalar (names are
    /// printed on other people's and the admin's terminals).
    public static func problem(_ name: String) -> String? {
        let bytes = name.utf8.count
        guard (1...maxBytes).contains(bytes) else {
            return "user name must be 1 to \(maxBytes) bytes of UTF-8 (this one has \(bytes))"
        }
        if let control = name.unicodeScalars.first(where: TerminalText.isControl) {
            let hex = String(control.value, radix: 16, uppercase: true)
            return "user name must not contain control or bidirectional formatting characters (it has U+"
                + String(repeating: "0", count: max(0, 4 - hex.count)) + hex + ")"
        }
        return nil
    }
}
