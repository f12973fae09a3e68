// SPDX-License-Identifier: Apache-2.0
import ChatProtocol

/// The prompt's line editor as a pure state machine: keys in, new state plus the
/// terminal output that shows it. No I/O here, so every key is unit-tested.
///
/// The buffer is graphemes (`Character`): the cursor moves over a CJK character, an
/// accented letter or an emoji family as one step. Columns are display columns
/// (`TerminalText.width`), never character counts.
///
/// Redraw strategy: after each change, return to column 0, print prompt and the
/// visible part of the buffer, clear to the end of the line and move the cursor
/// back. A line wider than the terminal scrolls sideways rather than wrapping: the
/// prompt line then never wraps, so "\r" always reaches its start and one "\r ESC[K"
/// erases it. Wrapping would mean tracking which row the cursor is on, and terminals
/// disagree about a wide character at the last column and reflow wrapped lines on
/// resize: exactly the arithmetic that, done wrong, stacks copies of the prompt.
public struct LineEditor: Sendable {
    public enum Action: Sendable, Equatable {
        /// Enter: the line to process (already added to the history when it may be).
        case submit(String)
        /// ctrl-c.
        case interrupt
        /// ctrl-d on an empty line.
        case endOfFile
        /// PgUp: the page of history before the one shown.
        case pageUp
    }

    enum Mode: Sendable, Equatable {
        case editing
        /// ctrl-r: `query` found in `history[match]` (nil: not found); the line before the search.
        case searching(query: String, match: Int?, saved: [Character], savedCursor: Int)
        /// Enter on a large line: waiting for y or n.
        case confirming(String)
    }

    public var prompt: String
    /// How many columns the prompt takes (it may contain colour escapes).
    public var promptWidth: Int
    public private(set) var buffer: [Character] = []
    /// The cursor as an index into `buffer` (graphemes, not columns).
    public private(set) var cursor = 0
    public private(set) var history: [String] = []
    /// How many lines were added to `history` since the start, so a caller can store the new ones.
    public private(set) var remembered = 0
    /// Position while browsing history; `history.count` means the line being edited.
    private var historyIndex = 0
    /// The unfinished line, kept while browsing history.
    private var draft: [Character] = []
    private var mode = Mode.editing
    public var historyLimit = 1000
    /// A line containing one of these (the password) is never put in the history.
    public var secrets: [String] = []
    /// A line with more lines or bytes than this is sent only after a "y".
    public var confirmLines = 10
    public var confirmBytes = 2000
    /// Terminal columns; nil when unknown (no sideways scrolling).
    public var width: Int?
    public var completer = Completer()
    private var decoder = KeyDecoder()

    public init(prompt: String, promptWidth: Int? = nil) {
        self.prompt = prompt
        self.promptWidth = promptWidth ?? TerminalText.width(prompt)
    }

    public var line: String { String(self.buffer) }

    /// The column of the cursor on the screen, prompt included.
    public var cursorColumn: Int {
        let (prompt, cells, cursor) = self.shown()
        let (start, _) = self.visibleRange(cells.map(Self.columns), cursor: cursor, promptWidth: prompt.width)
        return prompt.width + cells[start..<cursor].reduce(0) { $0 + Self.columns($1) }
    }

    /// Replaces the history (e.g. with the one kept between runs).
    public mutating func loadHistory(_ lines: [String]) {
        self.history = Array(lines.suffix(self.historyLimit))
        self.historyIndex = self.history.count
    }

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
        switch self.mode {
        case .editing: return self.edit(key)
        case .searching(let query, let match, let saved, let savedCursor):
            return self.search(key, query: query, match: match, saved: saved, savedCursor: savedCursor)
        case .confirming(let line):
            switch key {
            case .text("y"), .text("Y"):
                self.mode = .editing
                return self.submit(line)
            case .text("n"), .text("N"), .cancel, .interrupt, .endOfFile:
                self.mode = .editing  // back to the line, nothing lost
                return (self.redraw(), nil)
            default:
                return ("", nil)
            }
        }
    }

    private mutating func edit(_ key: Key) -> (output: String, action: Action?) {
        switch key {
        case .text(let c):
            self.insert(String(c))
        case .paste(let text):
            // A copied line usually ends in a newline; like a shell, a paste never sends by itself.
            self.insert(text.hasSuffix("\n") ? String(text.dropLast()) : text)
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
        case .wordLeft:
            guard self.cursor > 0 else { return ("", nil) }
            self.cursor = self.wordStart(before: self.cursor)
        case .wordRight:
            guard self.cursor < self.buffer.count else { return ("", nil) }
            while self.cursor < self.buffer.count, self.buffer[self.cursor].isWhitespace { self.cursor += 1 }
            while self.cursor < self.buffer.count, !self.buffer[self.cursor].isWhitespace { self.cursor += 1 }
        case .home: self.cursor = 0
        case .end: self.cursor = self.buffer.count
        case .killToStart:
            self.buffer.removeFirst(self.cursor)
            self.cursor = 0
        case .killToEnd:
            self.buffer.removeLast(self.buffer.count - self.cursor)
        case .deleteWord:
            let start = self.wordStart(before: self.cursor)
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
        case .tab:
            switch self.completer.complete(String(self.buffer[..<self.cursor])) {
            case .none: return ("", nil)
            case .replace(let count, let text):
                self.buffer.removeSubrange((self.cursor - count)..<self.cursor)
                self.cursor -= count
                self.insert(text)
            case .candidates(let names):
                return (self.clear() + names.joined(separator: "  ") + "\r\n" + self.redraw(), nil)
            }
        case .reverseSearch:
            self.mode = .searching(query: "", match: nil, saved: self.buffer, savedCursor: self.cursor)
        case .enter:
            let line = self.line
            let lines = line.split(separator: "\n", omittingEmptySubsequences: false).count
            if lines > self.confirmLines || line.utf8.count > self.confirmBytes {
                self.mode = .confirming(line)
                return (self.redraw(), nil)
            }
            return self.submit(line)
        case .interrupt:
            return ("\r\n", .interrupt)
        case .endOfFile:
            if self.buffer.isEmpty { return ("\r\n", .endOfFile) }
            return self.apply(.delete)  // like readline: ctrl-d deletes under the cursor
        case .redraw:
            return ("\u{1B}[H\u{1B}[2J" + self.redraw(), nil)
        case .pageUp:
            return ("", .pageUp)
        case .pageDown, .cancel, .ignored:
            return ("", nil)
        }
        return (self.redraw(), nil)
    }

    /// ctrl-r mode: typing refines the query, ctrl-r again finds an older match, Enter
    /// sends the match, ctrl-g or ctrl-c gives the old line back, and any other key
    /// takes the match into the line and then acts on it.
    private mutating func search(
        _ key: Key,
        query: String,
        match: Int?,
        saved: [Character],
        savedCursor: Int
    )
        -> (output: String, action: Action?)
    {
        switch key {
        case .text(let c):
            let q = query + String(c)
            self.mode = .searching(
                query: q,
                match: self.find(q, before: (match ?? self.history.count - 1) + 1),
                saved: saved,
                savedCursor: savedCursor
            )
        case .backspace:
            let q = String(query.dropLast())
            self.mode = .searching(
                query: q,
                match: q.isEmpty ? nil : self.find(q, before: self.history.count),
                saved: saved,
                savedCursor: savedCursor
            )
        case .reverseSearch:
            let older = match.flatMap { self.find(query, before: $0) } ?? match
            self.mode = .searching(query: query, match: older, saved: saved, savedCursor: savedCursor)
        case .cancel, .interrupt:
            self.mode = .editing
            (self.buffer, self.cursor) = (saved, savedCursor)
        default:
            self.mode = .editing
            if let match {
                self.buffer = Array(self.history[match])
                self.cursor = self.buffer.count
            } else {
                (self.buffer, self.cursor) = (saved, savedCursor)
            }
            return self.edit(key)
        }
        return (self.redraw(), nil)
    }

    /// The newest history line before index `end` that contains `query`.
    private func find(_ query: String, before end: Int) -> Int? {
        guard !query.isEmpty else { return nil }
        return self.history[..<min(end, self.history.count)].lastIndex { $0.contains(query) }
    }

    private mutating func submit(_ line: String) -> (output: String, action: Action?) {
        let secret = self.secrets.contains { !$0.isEmpty && line.contains($0) }
        if !line.allSatisfy(\.isWhitespace), self.history.last != line, !secret {
            self.history.append(line)
            self.remembered += 1
            if self.history.count > self.historyLimit { self.history.removeFirst() }
        }
        self.buffer = []
        self.cursor = 0
        self.draft = []
        self.historyIndex = self.history.count
        // The typed line is erased: the caller prints what it became (the
        // acknowledged message, a command's output) above the fresh prompt.
        return (self.redraw(), .submit(line))
    }

    /// Inserts at the cursor. Text is regrouped into graphemes with its
    /// neighbours, so a combining mark or a ZWJ sequence typed scalar by scalar
    /// joins the character before it.
    private mutating func insert(_ text: String) {
        let head = String(self.buffer[..<self.cursor]) + text
        let all = head + String(self.buffer[self.cursor...])
        self.buffer = Array(all)
        self.cursor = min(head.count, self.buffer.count)
    }

    private func wordStart(before index: Int) -> Int {
        var start = index
        while start > 0, self.buffer[start - 1].isWhitespace { start -= 1 }
        while start > 0, !self.buffer[start - 1].isWhitespace { start -= 1 }
        return start
    }

    /// What the prompt line shows now: the prompt, the cells and the cursor among them.
    private func shown() -> (prompt: (text: String, width: Int), cells: [Character], cursor: Int) {
        switch self.mode {
        case .editing:
            return ((self.prompt, self.promptWidth), self.buffer, self.cursor)
        case .searching(let query, let match, _, _):
            let label = "(search \(match == nil && !query.isEmpty ? "failed " : "")`\(query)'): "
            let cells = match.map { Array(self.history[$0]) } ?? []
            return ((label, TerminalText.width(label)), cells, cells.count)
        case .confirming(let line):
            let lines = line.split(separator: "\n", omittingEmptySubsequences: false).count
            let label = "send \(lines) lines (\(line.utf8.count) bytes) as one message? [y/n] "
            return ((label, TerminalText.width(label)), [], 0)
        }
    }

    /// The whole prompt line drawn afresh, cursor in place.
    public func redraw() -> String {
        let (prompt, cells, cursor) = self.shown()
        let widths = cells.map(Self.columns)
        let (start, end) = self.visibleRange(widths, cursor: cursor, promptWidth: prompt.width)
        var out = "\r" + prompt.text + cells[start..<end].map(Self.glyph).joined() + "\u{1B}[K"
        let back = widths[cursor..<end].reduce(0, +)
        if back > 0 { out += "\u{1B}[\(back)D" }
        return out
    }

    /// How a buffer character is drawn: a pasted line break as ↵ and a tab as one
    /// space, so the prompt line stays one line; controls are never in the buffer.
    static func glyph(_ c: Character) -> String {
        switch c {
        case "\n", "\r\n": return "↵"
        case "\t": return " "
        default: return String(c)
        }
    }

    static func columns(_ c: Character) -> Int { TerminalText.width(Self.glyph(c)) }

    /// The cells that fit beside the prompt, the cursor among them. The last column
    /// stays free so the terminal never wraps the line: with the cursor at the end
    /// it sits in that column.
    func visibleRange(_ widths: [Int], cursor: Int, promptWidth: Int) -> (Int, Int) {
        guard let width = self.width else { return (0, widths.count) }
        let room = max(1, width - promptWidth - 1)
        guard widths.reduce(0, +) > room else { return (0, widths.count) }
        var start = cursor
        var used = 0
        while start > 0, used + widths[start - 1] <= room {
            start -= 1
            used += widths[start]
        }
        var end = cursor
        while end < widths.count, used + widths[end] <= room {
            used += widths[end]
            end += 1
        }
        return (start, end)
    }

    /// Erases the prompt line so a message can be printed in its place; follow the
    /// message with `redraw()`.
    public func clear() -> String { "\r\u{1B}[K" }
}
