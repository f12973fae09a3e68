// SPDX-License-Identifier: Apache-2.0
/// Text that came from other people and is bound for someone's terminal.
///
/// Some scalars change what a terminal shows around them: C0 and C1 controls (ESC
/// and CSI start escape sequences that move the cursor, erase lines, set the window
/// title or the clipboard), bidirectional controls (they reorder what the reader
/// sees) and the line and paragraph separators. User names may not hold them
/// (`UserName`), and tools escape them in whatever they print.
public enum TerminalText {
    /// Whether `scalar` is one of those: U+0000–U+001F, U+007F, U+0080–U+009F, the bidi
    /// controls U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069, and U+2028, U+2029.
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: return true
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: return true
        case 0x2028, 0x2029: return true
        default: return false
        }
    }

    /// `text` with every control shown as Swift writes it: `\t`, `\n`, `\r`, else `\u{1B}`.
    /// The result holds no control, so escaping it again changes nothing.
    public static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            guard isControl(scalar) else {
                out.append(scalar)
                continue
            }
            switch scalar {
            case "\t": out.append(contentsOf: #"\t"#.unicodeScalars)
            case "\n": out.append(contentsOf: #"\n"#.unicodeScalars)
            case "\r": out.append(contentsOf: #"\r"#.unicodeScalars)
            default: out.append(contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
            }
        }
        return String(out)
    }

    /// JSON text (as JSONEncoder writes it) with the controls that JSON leaves raw,
    /// U+007F and up, written as `\uXXXX`. JSONEncoder already escapes U+0000–U+001F
    /// inside strings, and those outside strings are the document's own whitespace;
    /// the others can only be inside strings, so the result decodes to the same value.
    public static func escapedJSON(_ json: String) -> String {
        guard json.unicodeScalars.contains(where: { $0.value >= 0x7F && isControl($0) }) else { return json }
        var out = String.UnicodeScalarView()
        for scalar in json.unicodeScalars {
            if scalar.value >= 0x7F, isControl(scalar) {
                let hex = String(scalar.value, radix: 16, uppercase: true)
                out.append(
                    contentsOf: ("\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex).unicodeScalars
                )
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }
}
