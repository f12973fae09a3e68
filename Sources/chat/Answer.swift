// SPDX-License-Identifier: Apache-2.0

/// What was typed at a prompt, read as a value.
enum Answer {
    /// A user id, with blanks around it allowed: tabs and Unicode space separators,
    /// the set Foundation's `.whitespaces` trims (without needing full Foundation).
    static func userID(_ text: String) -> Int? {
        let blank = { (scalar: Unicode.Scalar) in scalar == "\t" || scalar.properties.generalCategory == .spaceSeparator
        }
        var scalars = Substring(text).unicodeScalars
        while let first = scalars.first, blank(first) { scalars.removeFirst() }
        while let last = scalars.last, blank(last) { scalars.removeLast() }
        return Int(String(scalars))
    }
}
