// SPDX-License-Identifier: Apache-2.0
import Foundation

/// Unix time in milliseconds, the unit of every stored time (last login, presence
/// heartbeats) and of protocol timestamps. One definition for the store and the server.
public enum WallClock {
    public static func millis() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded())
    }
}

extension Duration {
    /// Whole milliseconds (truncated): TTLs and windows as Redis takes them, and timings in logs.
    public var millis: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
}
