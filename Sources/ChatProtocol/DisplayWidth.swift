// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How many terminal columns text takes, for the line editor and for tables.
///
/// Per scalar this is the C library's `wcwidth` (East Asian wide 2, combining marks
/// 0), under a UTF-8 locale of our own so the process's locale stays untouched (in
/// the "C" locale `wcwidth` knows only ASCII). Per grapheme (`Character`), because a
/// terminal draws an emoji sequence as one picture: one with VS16 (U+FE0F), a
/// skin-tone modifier, a ZWJ joining emoji, or a pair of regional indicators (a
/// flag) is 2 columns, however many scalars it holds.
extension TerminalText {
    public static func width(_ text: some StringProtocol) -> Int {
        text.reduce(0) { $0 + self.width($1) }
    }

    public static func width(_ character: Character) -> Int {
        let scalars = character.unicodeScalars
        guard let first = scalars.first else { return 0 }
        if scalars.count > 1 {
            let isEmojiSequence =
                scalars.contains { s in
                    s.value == 0xFE0F || s.properties.isEmojiModifier || (s.value == 0x200D && first.properties.isEmoji)
                } || (0x1F1E6...0x1F1FF).contains(first.value)
            if isEmojiSequence { return 2 }
        }
        return scalars.reduce(0) { $0 + self.width($1) }
    }

    /// `wcwidth`, with controls 0 (they are never printed raw) and scalars the C
    /// library does not know 1 (a terminal shows them as one replacement box).
    public static func width(_ scalar: Unicode.Scalar) -> Int {
        if scalar.value < 0x7F { return scalar.value >= 0x20 ? 1 : 0 }
        if self.isControl(scalar) { return 0 }
        guard let locale = utf8Locale.locale else { return 1 }
        let previous = uselocale(locale)  // per thread, so concurrent callers cannot interfere
        defer { uselocale(previous) }
        let columns = c_wcwidth(Int32(bitPattern: scalar.value))
        return columns < 0 ? 1 : Int(columns)
    }
}

/// A UTF-8 `LC_CTYPE`, made once; nil when the C library has none (then every
/// non-ASCII scalar counts as 1).
private let utf8Locale = LocaleBox(locale: newlocale(LC_CTYPE_MASK, "C.UTF-8", nil))

private struct LocaleBox: @unchecked Sendable {  // immutable after creation; freed never
    let locale: locale_t?
}

/// glibc's `wcwidth`, which its headers declare only under _XOPEN_SOURCE.
@_silgen_name("wcwidth")
private func c_wcwidth(_ c: Int32) -> Int32
