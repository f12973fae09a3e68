// SPDX-License-Identifier: Apache-2.0
import ChatProtocol

/// Just enough of a terminal to see what a person would: printable text with its
/// display width, wrapping at the right margin, CR, LF, BS, ESC[K, ESC[nD, ESC[nC,
/// ESC[H and ESC[2J. Other escape sequences (colours, modes) draw nothing.
struct VirtualScreen {
    let columns: Int
    private(set) var rows: [[String]] = [[]]  // cells; a wide character's second cell is ""
    private var row = 0, column = 0

    init(columns: Int) { self.columns = columns }

    init(columns: Int, output: String) {
        self.init(columns: columns)
        self.write(output)
    }

    /// The screen's rows as text, trailing blanks removed.
    var lines: [String] {
        self.rows.map { cells in
            var text = cells.joined()
            while text.last == " " { text.removeLast() }
            return text
        }
    }

    mutating func write(_ text: String) {
        var escape: String?
        for c in text {
            if var e = escape {
                e.append(c)
                escape = e
                if e == "\u{1B}[" || e == "\u{1B}" { continue }
                if e.hasPrefix("\u{1B}["), let a = c.asciiValue, !(0x40...0x7E).contains(a) { continue }
                self.perform(e)
                escape = nil
                continue
            }
            switch c {
            case "\u{1B}": escape = "\u{1B}"
            case "\r": self.column = 0
            case "\r\n", "\n":
                if c == "\r\n" { self.column = 0 }
                self.lineFeed()
            case "\u{08}": self.column = max(0, self.column - 1)
            case "\u{07}": break
            default: self.put(c)
            }
        }
    }

    private mutating func lineFeed() {
        self.row += 1
        if self.row == self.rows.count { self.rows.append([]) }
    }

    private mutating func put(_ c: Character) {
        let width = TerminalText.width(c)
        guard width > 0 else { return }
        if self.column + width > self.columns {  // auto-wrap
            self.column = 0
            self.lineFeed()
        }
        while self.rows[self.row].count < self.column + width { self.rows[self.row].append(" ") }
        self.rows[self.row][self.column] = String(c)
        if width == 2 { self.rows[self.row][self.column + 1] = "" }
        self.column += width
    }

    private mutating func perform(_ sequence: String) {
        guard sequence.hasPrefix("\u{1B}["), let final = sequence.last else { return }
        let n = Int(sequence.dropFirst(2).dropLast()) ?? 1
        switch final {
        case "K":
            if self.rows[self.row].count > self.column {
                self.rows[self.row].removeLast(self.rows[self.row].count - self.column)
            }
        case "D": self.column = max(0, self.column - n)
        case "C": self.column = min(self.columns - 1, self.column + n)
        case "H": (self.row, self.column) = (max(0, self.rows.count - 24), 0)
        case "J": for r in self.row..<self.rows.count { self.rows[r] = [] }
        default: break
        }
    }
}
