// SPDX-License-Identifier: Apache-2.0
/// A session's handle for admins and logs: 12 hex digits, random.
public struct SessionID: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    static func random() -> SessionID {
        var rng = SystemRandomNumberGenerator()
        let value = rng.next() & 0xFFFF_FFFF_FFFF
        let hex = String(value, radix: 16)
        return SessionID(rawValue: String(repeating: "0", count: 12 - hex.count) + hex)
    }

    public var description: String { rawValue }
}
