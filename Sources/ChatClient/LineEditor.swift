/// The prompt's line editor as a pure state machine: keys in, new state plus the
/// terminal output that shows it. No I/O here, so every key is unit-tested.
///
/// Redraw strategy: after each change, return to column 0, print prompt and buffer,
/// clear to the end of the line and move the cursor back. A line longer than the
/// terminal scrolls sideways so the cursor stays visible (the prompt line never
/// wraps, so column 0 is always its start). One column per character is assumed.
public struct LineEditor: Sendable {
    public enum Action: Sendable, Equatable {
        /// Enter: the line to process (already added to the history when non-empty).
        case submit(String)
        /// ctrl-c.
        case interrupt
        /// ctrl-d on an empty line.
        case endOfFile
    }

    public var prompt: String
    /// How many columns the prompt takes (it may contain colour escapes).
    public var promptWidth: Int
    public private(set) var buffer: [Character] = []
    public private(set) var cursor = 0
    public private(set) var history: [String] = []
    /// Position while browsing history; `history.count` means the line being edited.
    private var historyIndex = 0
    /// The unfinished line, kept while browsing history.
    private var draft: [Character] = []
    public var historyLimit = 500
    /// Terminal columns; nil when unknown (no sideways scrolling).
    public var width: Int?
    private var decoder = KeyDecoder()

    public init(prompt: String, promptWidth: Int? = nil) {
        self.prompt = prompt
        self.promptWidth = promptWidth ?? prompt.count
    }

    public var line: String { String(self.buffer) }

    /// Feeds raw terminal bytes; returns what to write to the terminal and the
    /// actions the bytes completed, in order.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> (output: String, actions: [Action]) {
        var output = ""
        var actions: [Action] = []
        for key in self.decoder.feed(bytes) {
            let (o, a) = self.apply(key)
            output += o
            if let a { actions.append(a) }
        }
        return (output, actions)
    }

    /// Applies one key.
    public mutating func apply(_ key: Key) -> (output: String, action: Action?) {
        switch key {
        case .text(let c):
            self.buffer.insert(c, at: self.cursor)
            self.cursor += 1
        case .backspace:
            guard self.cursor > 0 else { return ("", nil) }
            self.cursor -= 1
            self.buffer.remove(at: self.cursor)
        case .delete:
            guard self.cursor < self.buffer.count else { return ("", nil) }
            self.buffer.remove(at: self.cursor)
        case .left:
            guard self.cursor > 0 else { return ("", nil) }
            self.cursor -= 1
        case .right:
            guard self.cursor < self.buffer.count else { return ("", nil) }
            self.cursor += 1
        case .home: self.cursor = 0
        case .end: self.cursor = self.buffer.count
        case .killToStart:
            self.buffer.removeFirst(self.cursor)
            self.cursor = 0
        case .killToEnd:
            self.buffer.removeLast(self.buffer.count - self.cursor)
        case .deleteWord:
            var start = self.cursor
            while start > 0, self.buffer[start - 1] == " " { start -= 1 }
            while start > 0, self.buffer[start - 1] != " " { start -= 1 }
            self.buffer.removeSubrange(start..<self.cursor)
            self.cursor = start
        case .up:
            guard self.historyIndex > 0 else { return ("", nil) }
            if self.historyIndex == self.history.count { self.draft = self.buffer }
            self.historyIndex -= 1
            self.buffer = Array(self.history[self.historyIndex])
            self.cursor = self.buffer.count
        case .down:
            guard self.historyIndex < self.history.count else { return ("", nil) }
            self.historyIndex += 1
            self.buffer = self.historyIndex == self.history.count ? self.draft : Array(self.history[self.historyIndex])
            self.cursor = self.buffer.count
        case .enter:
            let line = self.line
            if !line.allSatisfy(\.isWhitespace), self.history.last != line {
                self.history.append(line)
                if self.history.count > self.historyLimit { self.history.removeFirst() }
            }
            self.buffer = []
            self.cursor = 0
            self.draft = []
            self.historyIndex = self.history.count
            // The typed line is erased: the caller prints what it became (the
            // acknowledged message, a command's output) above the fresh prompt.
            return (self.redraw(), .submit(line))
        case .interrupt:
            return ("\r\n", .interrupt)
        case .endOfFile:
            if self.buffer.isEmpty { return ("\r\n", .endOfFile) }
            return self.apply(.delete)  // like readline: ctrl-d deletes under the cursor
        case .redraw:
            return ("\u{1B}[H\u{1B}[2J" + self.redraw(), nil)
        case .ignored:
            return ("", nil)
        }
        return (self.redraw(), nil)
    }

    /// The whole prompt line drawn afresh, cursor in place.
    public func redraw() -> String {
        let (start, end) = self.visibleRange()
        var out = "\r" + self.prompt + String(self.buffer[start..<end]) + "\u{1B}[K"
        let back = end - self.cursor
        if back > 0 { out += "\u{1B}[\(back)D" }
        return out
    }

    /// The part of the buffer that fits beside the prompt, the cursor inside it.
    /// The last column stays free so the terminal never wraps the line.
    func visibleRange() -> (Int, Int) {
        guard let width = self.width else { return (0, self.buffer.count) }
        let room = max(1, width - self.promptWidth - 1)
        guard self.buffer.count > room else { return (0, self.buffer.count) }
        let start = max(0, self.cursor - room)
        return (start, min(self.buffer.count, start + room))
    }

    /// Erases the prompt line so a message can be printed in its place; follow the
    /// message with `redraw()`.
    public func clear() -> String { "\r\u{1B}[K" }
}
