// SPDX-License-Identifier: Apache-2.0
import ChatClient
import Testing

/// Key byte sequences as a terminal sends them.
enum Keys {
    static let left = "\u{1B}[D", right = "\u{1B}[C", up = "\u{1B}[A", down = "\u{1B}[B"
    static let home = "\u{1B}[H", end = "\u{1B}[F", delete = "\u{1B}[3~"
    static let ctrlA = "\u{01}", ctrlE = "\u{05}", ctrlU = "\u{15}", ctrlK = "\u{0B}", ctrlW = "\u{17}"
    static let ctrlC = "\u{03}", ctrlD = "\u{04}", backspace = "\u{7F}", enter = "\r"
}

@Suite struct LineEditorTests {
    /// Feeds `keys` and returns the editor with the actions it reported.
    func type(
        _ keys: String...,
        into editor: LineEditor = LineEditor(prompt: "> ")
    ) -> (LineEditor, [LineEditor.Action]) {
        var editor = editor
        var actions: [LineEditor.Action] = []
        for k in keys { actions += editor.feed(Array(k.utf8)).actions }
        return (editor, actions)
    }

    @Test func typingInsertsAtTheCursor() {
        let (e, actions) = self.type("abc", Keys.left, "X")
        #expect(e.line == "abXc")
        #expect(e.cursor == 3)
        #expect(actions.isEmpty)
    }

    @Test func outputRedrawsPromptLineAndPlacesTheCursor() {
        var e = LineEditor(prompt: "> ")
        #expect(e.feed(Array("abc".utf8)).output == "\r> a\u{1B}[K\r> ab\u{1B}[K\r> abc\u{1B}[K")
        #expect(
            e.feed(Array((Keys.left + Keys.left).utf8)).output == "\r> abc\u{1B}[K\u{1B}[1D\r> abc\u{1B}[K\u{1B}[2D"
        )
        // Moving past the start changes nothing and prints nothing.
        _ = e.feed(Array(Keys.home.utf8))
        #expect(e.feed(Array(Keys.left.utf8)).output == "")
        #expect(e.clear() == "\r\u{1B}[K")
    }

    @Test func longLinesScrollSidewaysToKeepTheCursorVisible() {
        var e = LineEditor(prompt: "> ")
        e.width = 10  // room for 7 characters: 10 - prompt (2) - last column (1)
        let typed = e.feed(Array("abcdefghij".utf8)).output
        #expect(typed.hasSuffix("\r> defghij\u{1B}[K"))
        let home = e.feed(Array(Keys.home.utf8)).output
        #expect(home == "\r> abcdefg\u{1B}[K\u{1B}[7D")
        e.width = nil
        #expect(e.redraw() == "\r> abcdefghij\u{1B}[K\u{1B}[10D")
    }

    @Test func backspaceAndDelete() {
        #expect(self.type("abcd", Keys.left, Keys.backspace).0.line == "abd")
        #expect(self.type("abcd", Keys.home, Keys.delete).0.line == "bcd")
        #expect(self.type("abcd", Keys.delete).0.line == "abcd")
        #expect(self.type(Keys.backspace).0.line == "")
        // ctrl-d deletes under the cursor when the line is not empty.
        let (e, actions) = self.type("ab", Keys.home, Keys.ctrlD)
        #expect(e.line == "b")
        #expect(actions.isEmpty)
    }

    @Test(arguments: [
        (Keys.home, Keys.end), (Keys.ctrlA, Keys.ctrlE), ("\u{1B}[1~", "\u{1B}[4~"), ("\u{1B}OH", "\u{1B}OF"),
        ("\u{1B}[7~", "\u{1B}[8~"),
    ])
    func homeAndEnd(home: String, end: String) {
        let (atHome, _) = self.type("hello", home)
        #expect(atHome.cursor == 0)
        let (atEnd, _) = self.type("hello", home, end)
        #expect(atEnd.cursor == 5)
    }

    @Test func killsAndWordDelete() {
        let (u, _) = self.type("hello world", Keys.left, Keys.left, Keys.ctrlU)
        #expect(u.line == "ld")
        #expect(u.cursor == 0)
        let (k, _) = self.type("hello world", Keys.ctrlA, Keys.right, Keys.ctrlK)
        #expect(k.line == "h")
        let (w, _) = self.type("say hello  ", Keys.ctrlW)
        #expect(w.line == "say ")
        #expect(w.cursor == 4)
    }

    @Test func enterSubmitsClearsAndRemembers() {
        let (e, actions) = self.type("one", Keys.enter, "  ", Keys.enter, "one", Keys.enter, "two", Keys.enter)
        #expect(actions == [.submit("one"), .submit("  "), .submit("one"), .submit("two")])
        #expect(e.line == "")
        #expect(e.cursor == 0)
        #expect(e.history == ["one", "two"])  // no blanks, no immediate repeats
    }

    @Test func historyUpAndDownKeepTheDraft() {
        let (e0, _) = self.type("first", Keys.enter, "second", Keys.enter, "draft")
        let (up1, _) = self.type(Keys.up, into: e0)
        #expect(up1.line == "second")
        #expect(up1.cursor == 6)
        let (up2, _) = self.type(Keys.up, Keys.up, Keys.up, into: e0)  // stops at the oldest
        #expect(up2.line == "first")
        let (back, _) = self.type(Keys.up, Keys.up, Keys.down, Keys.down, into: e0)
        #expect(back.line == "draft")
        let (edited, actions) = self.type(Keys.up, "!", Keys.enter, into: e0)
        #expect(actions == [.submit("second!")])
        #expect(edited.history == ["first", "second", "second!"])
    }

    @Test func interruptAndEndOfFile() {
        #expect(self.type("abc", Keys.ctrlC).1 == [.interrupt])
        #expect(self.type(Keys.ctrlD).1 == [.endOfFile])
    }

    @Test func sequencesSplitAcrossReads() {
        // An arrow key and a two-byte character, each cut in the middle.
        var (editor, _) = self.type("ab", "\u{1B}", "[", "D")
        _ = editor.feed([0xC3])
        #expect(editor.line == "ab")
        _ = editor.feed([0xA9])
        #expect(editor.line == "aéb")
        #expect(editor.cursor == 2)
    }

    @Test func unknownSequencesAndControlsAreIgnored() {
        let (e, actions) = self.type("a", "\u{1B}[15~", "\u{1B}x", "\u{07}", "\u{1B}[1;5C", "b")
        #expect(e.line == "ab")
        #expect(actions.isEmpty)
    }

    @Test func keyDecoderNamesKeys() {
        var d = KeyDecoder()
        #expect(
            d.feed(Array("x\r\u{1B}[A\u{1B}[3~\u{7F}\u{15}".utf8)) == [
                .text("x"), .enter, .up, .delete, .backspace, .killToStart,
            ]
        )
        #expect(d.feed([0x1B]) == [])
        #expect(d.flush() == [.ignored])
    }
}
