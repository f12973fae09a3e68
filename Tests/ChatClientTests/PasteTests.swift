// SPDX-License-Identifier: Apache-2.0
import ChatClient
import Testing

/// Bracketed paste, from the decoder to the one message it becomes.
@Suite struct PasteTests {
    static let start = "\u{1B}[200~", end = "\u{1B}[201~"

    @Test func aPasteIsOneKeyWithItsLineBreaks() {
        var d = KeyDecoder()
        #expect(
            d.feed(Array("a\(Self.start)one\r\ntwo\rthree\n\tx\u{1B}[2J\(Self.end)b".utf8))
                == [.text("a"), .paste("one\ntwo\nthree\n\tx[2J"), .text("b")]
        )
    }

    @Test func aPasteSplitAcrossReads() {
        var d = KeyDecoder()
        var keys: [Key] = []
        // Cut inside the start marker, inside a character, and inside the end marker.
        let bytes = Array("\(Self.start)中文\nline2\(Self.end)z".utf8)
        let pieces = [
            bytes[0..<3], bytes[3..<10], bytes[10..<11], bytes[11..<(bytes.count - 4)],
            bytes[(bytes.count - 4)..<(bytes.count - 2)], bytes[(bytes.count - 2)...],
        ]
        for piece in pieces { keys += d.feed(piece) }
        #expect(keys == [.paste("中文\nline2"), .text("z")])
    }

    @Test func aPasteByteByByte() {
        var d = KeyDecoder()
        var keys: [Key] = []
        for byte in Array("\(Self.start)x\u{1B}[20y\(Self.end)".utf8) { keys += d.feed([byte]) }
        #expect(keys == [.paste("x[20y")])
    }

    @Test func pastedLinesAreOneMessageSentWithEnter() {
        var e = LineEditor(prompt: "> ")
        let pasted = e.feed(Array("\(Self.start)first\nsecond\n\(Self.end)".utf8))
        #expect(pasted.actions.isEmpty)  // a paste never sends by itself
        #expect(pasted.output == "\r> first↵second\u{1B}[K")
        #expect(e.line == "first\nsecond")
        #expect(e.feed(Array(Keys.enter.utf8)).actions == [.submit("first\nsecond")])
        #expect(e.history == ["first\nsecond"])
    }

    @Test func aLargePasteAsksFirst() {
        var e = LineEditor(prompt: "> ")
        let text = (1...11).map { "line \($0)" }.joined(separator: "\n")
        _ = e.feed(Array("\(Self.start)\(text)\(Self.end)".utf8))
        let asked = e.feed(Array(Keys.enter.utf8))
        #expect(asked.actions.isEmpty)
        #expect(asked.output == "\r" + "send 11 lines (\(text.utf8.count) bytes) as one message? [y/n] " + "\u{1B}[K")
        // Other keys wait; n goes back to the line, nothing lost.
        let other = e.feed(Array("x".utf8))
        #expect(other.output.isEmpty && other.actions.isEmpty)
        let declined = e.feed(Array("n".utf8))
        #expect(declined.actions.isEmpty)
        #expect(e.line == text)
        _ = e.feed(Array(Keys.enter.utf8))
        #expect(e.feed(Array("y".utf8)).actions == [.submit(text)])
        #expect(e.line == "")

        var long = LineEditor(prompt: "> ")
        _ = long.feed(Array("\(Self.start)\(String(repeating: "é", count: 1001))\(Self.end)".utf8))
        #expect(long.feed(Array(Keys.enter.utf8)).actions.isEmpty)  // 2002 bytes in one line
        #expect(long.feed(Array("y".utf8)).actions.count == 1)
    }
}
