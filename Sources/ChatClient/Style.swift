// SPDX-License-Identifier: Apache-2.0
import ChatProtocol

/// ANSI styling that disappears when colour is off (`NO_COLOR`, or stdout not a terminal).
public struct Style: Sendable, Equatable {
    public var enabled: Bool

    public init(enabled: Bool) { self.enabled = enabled }

    /// `NO_COLOR` (any value, even empty: https://no-color.org) or a non-terminal stdout turn colour off.
    public static func decide(environment: [String: String], stdoutIsTerminal: Bool) -> Style {
        Style(enabled: stdoutIsTerminal && environment["NO_COLOR"] == nil)
    }

    public func dim(_ s: String) -> String { self.wrap(s, "2") }
    public func bold(_ s: String) -> String { self.wrap(s, "1") }
    public func name(_ s: String) -> String { self.wrap(s, "1;36") }
    public func own(_ s: String) -> String { self.wrap(s, "1;32") }
    public func privateMark(_ s: String) -> String { self.wrap(s, "35") }
    public func notice(_ s: String) -> String { self.wrap(s, "33") }
    public func error(_ s: String) -> String { self.wrap(s, "1;31") }

    private func wrap(_ s: String, _ code: String) -> String {
        self.enabled ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s
    }
}

/// Text from the network is untrusted: control characters (ESC above all) could
/// rewrite the user's terminal, so C0 controls are shown in caret notation, and C1,
/// bidi controls (U+202E would reverse the rest of the line) and line separators as
/// U+FFFD (see `TerminalText.isControl`).
public func sanitize(_ text: String) -> String {
    guard text.unicodeScalars.contains(where: { $0 != "\t" && TerminalText.isControl($0) }) else { return text }
    var out = ""
    out.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
    for scalar in text.unicodeScalars {
        switch scalar.value {
        case 0x09: out.unicodeScalars.append(scalar)
        case 0x00..<0x20: out += "^" + String(UnicodeScalar(UInt8(scalar.value + 0x40)))
        case 0x7F: out += "^?"
        case _ where TerminalText.isControl(scalar): out += "\u{FFFD}"
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out
}
