// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import Testing

@Suite struct DisplayWidthTests {
    @Test(arguments: [
        ("a", 1), ("hello", 5), ("", 0),
        ("中", 2), ("中文", 4), ("한국어", 6), ("ｶ", 1),  // CJK wide, halfwidth katakana narrow
        ("e\u{301}", 1), ("\u{301}", 0), ("a\u{308}\u{323}", 1),  // combining marks
        ("😀", 2), ("👍🏽", 2), ("❤️", 2), ("☺", 1),  // emoji, skin tone, VS16; text-style emoji
        ("👨‍👩‍👧", 2), ("🇩🇪", 2), ("🇩🇪🇫🇷", 4),  // ZWJ family, flags
        ("a中😀e\u{301}", 6),
    ])
    func columns(text: String, expected: Int) {
        #expect(TerminalText.width(text) == expected, "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
    }

    @Test func controlsTakeNoColumns() {
        #expect(TerminalText.width("\u{1B}\u{7}\u{9B}") == 0)
    }
}
