// SPDX-License-Identifier: Apache-2.0
import ChatClient
import ChatProtocol
import Testing

/// The line editor with text that is not one column per character, in a narrow terminal.
@Suite struct WideTextEditorTests {
    func editor(width: Int? = 10, prompt: String = "> ") -> LineEditor {
        var e = LineEditor(prompt: prompt)
        e.width = width
        return e
    }

    /// The columns a redraw fills after its last "\r", escape sequences left out.
    static func drawnColumns(_ output: String) -> Int {
        guard let lastCR = output.lastIndex(of: "\r") else { return 0 }
        var text = ""
        var state = 0  // 0 text, 1 after ESC, 2 inside CSI
        for c in output[output.index(after: lastCR)...] {
            switch state {
            case 1: state = c == "[" ? 2 : 0
            case 2: if let a = c.asciiValue, (0x40...0x7E).contains(a) { state = 0 }
            default: if c == "\u{1B}" { state = 1 } else { text.append(c) }
            }
        }
        return TerminalText.width(text)
    }

    @Test func cjkScrollsByColumnsNotCharacters() {
        var e = self.editor()  // room for 7 columns: 10 - prompt (2) - last column (1)
        #expect(e.feed(Array("中文字".utf8)).output == "\r> 中\u{1B}[K\r> 中文\u{1B}[K\r> 中文字\u{1B}[K")
        #expect(e.cursorColumn == 8)
        // The fourth needs 8 columns: the line scrolls by one character (2 columns).
        #expect(e.feed(Array("符".utf8)).output == "\r> 文字符\u{1B}[K")
        #expect(e.line == "中文字符")
        #expect(e.cursor == 4)
        #expect(e.cursorColumn == 8)
        #expect(e.feed(Array(Keys.home.utf8)).output == "\r> 中文字\u{1B}[K\u{1B}[6D")
        #expect(e.cursorColumn == 2)
        #expect(e.feed(Array(Keys.right.utf8)).output == "\r> 中文字\u{1B}[K\u{1B}[4D")
        #expect(e.cursorColumn == 4)
    }

    @Test func emojiMoveTheCursorByTwoColumns() {
        var e = self.editor(width: nil)
        _ = e.feed(Array("a😀b".utf8))
        #expect(e.feed(Array(Keys.left.utf8)).output == "\r> a😀b\u{1B}[K\u{1B}[1D")
        #expect(e.feed(Array(Keys.left.utf8)).output == "\r> a😀b\u{1B}[K\u{1B}[3D")
        #expect(e.cursor == 1)
        #expect(e.cursorColumn == 3)
    }

    @Test func sequencesTypedScalarByScalarAreOneCharacter() {
        var e = self.editor(width: nil)
        // A ZWJ family and a flag arrive as several scalars; e + combining acute as two keys.
        for scalar in "👨‍👩‍👧🇩🇪e\u{301}".unicodeScalars { _ = e.feed(Array(String(scalar).utf8)) }
        #expect(e.buffer == ["👨‍👩‍👧", "🇩🇪", "e\u{301}"])
        #expect(e.cursorColumn == 2 + 2 + 2 + 1)
        _ = e.feed(Array((Keys.left + Keys.backspace).utf8))
        #expect(e.line == "👨‍👩‍👧e\u{301}")
        #expect(e.cursor == 1)
        #expect(e.redraw() == "\r> 👨‍👩‍👧e\u{301}\u{1B}[K\u{1B}[1D")
    }

    @Test func aWideNameInThePromptIsMeasured() {
        let e = LineEditor(prompt: "\u{1B}[1;32m李(1)\u{1B}[0m> ", promptWidth: TerminalText.width("李(1)") + 2)
        #expect(e.promptWidth == 7)
        #expect(LineEditor(prompt: "李> ").promptWidth == 4)
    }

    /// The bug this fixes: after CJK in a 40-column terminal every redraw wrapped,
    /// and "\r" returned only to the start of the last row, stacking prompts.
    @Test func noRedrawReachesTheLastColumn() {
        var e = self.editor(width: 40, prompt: "ann(100)> ")
        var outputs: [String] = []
        for c in "日本語のテキストと絵文字😀👍🏽が混ざった長い行を入力する" { outputs.append(e.feed(Array(String(c).utf8)).output) }
        for key in [Keys.home, Keys.right, Keys.right, "\u{1B}f", "中", Keys.end, Keys.left, "\u{1B}b"] {
            outputs.append(e.feed(Array(key.utf8)).output)
        }
        for output in outputs {
            // One redraw per key; a skin-tone emoji is two keys (two scalars).
            for redraw in output.split(separator: "\r") {
                #expect(Self.drawnColumns("\r" + redraw) <= 39, "\(redraw)")
            }
        }
        #expect(e.cursorColumn <= 39)
    }

    @Test func wordMovesWithAltBAndAltF() {
        var e = self.editor(width: nil)
        _ = e.feed(Array("one 二三 three".utf8))
        _ = e.feed(Array("\u{1B}b".utf8))
        #expect(e.cursor == 7)
        _ = e.feed(Array("\u{1B}b".utf8))
        #expect(e.cursor == 4)
        #expect(e.cursorColumn == 6)
        _ = e.feed(Array("\u{1B}b\u{1B}f".utf8))
        #expect(e.cursor == 3)
        _ = e.feed(Array("\u{1B}[1;5C".utf8))  // ctrl-right
        #expect(e.cursor == 6)
    }
}
