// SPDX-License-Identifier: Apache-2.0
import ChatProtocol

/// A key press, as decoded from the terminal's raw byte stream.
public enum Key: Sendable, Equatable {
    case text(Character)
    case enter
    case backspace
    case delete
    case left, right, up, down
    case home, end
    /// ctrl-u: delete from the start of the line to the cursor.
    case killToStart
    /// ctrl-k: delete from the cursor to the end of the line.
    case killToEnd
    /// ctrl-w: delete the word before the cursor.
    case deleteWord
    /// ctrl-l: redraw.
    case redraw
    /// ctrl-c.
    case interrupt
    /// ctrl-d.
    case endOfFile
    /// alt-b / alt-f (also ctrl- and alt-arrows): a word left or right.
    case wordLeft, wordRight
    case tab
    /// ctrl-r: search the history backwards.
    case reverseSearch
    /// ctrl-g: leave a search or a question.
    case cancel
    case pageUp, pageDown
    /// A bracketed paste, whole: newlines as "\n", other controls but tab dropped.
    case paste(String)
    /// Anything else (unsupported escape sequences, other control keys): ignored.
    case ignored
}

/// Splits raw terminal bytes into keys. Keeps incomplete UTF-8 and escape sequences
/// across calls, since a read may end in the middle of either, and a bracketed paste
/// (ESC[200~ … ESC[201~, see `Terminal.enterRawMode`) until its end arrives.
public struct KeyDecoder: Sendable {
    private var pending: [UInt8] = []
    /// Inside a paste: its bytes so far.
    private var paste: [UInt8]?

    static let pasteStart: [UInt8] = Array("\u{1B}[200~".utf8)
    static let pasteEnd: [UInt8] = Array("\u{1B}[201~".utf8)

    public init() {}

    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [Key] {
        self.pending.append(contentsOf: bytes)
        var keys: [Key] = []
        var i = 0
        while i < self.pending.count {
            if self.paste != nil {
                guard let end = Self.find(Self.pasteEnd, in: self.pending[i...]) else {
                    // Keep a tail that may be the start of the end marker; the rest is pasted text.
                    let keep = max(i, self.pending.count - (Self.pasteEnd.count - 1))
                    self.paste!.append(contentsOf: self.pending[i..<keep])
                    i = keep
                    break
                }
                self.paste!.append(contentsOf: self.pending[i..<end])
                keys.append(.paste(Self.pastedText(self.paste!)))
                self.paste = nil
                i = end + Self.pasteEnd.count
                continue
            }
            if self.pending[i...].starts(with: Self.pasteStart) {
                self.paste = []
                i += Self.pasteStart.count
                continue
            }
            guard let (key, length) = Self.decodeOne(self.pending[i...]) else { break }  // incomplete: wait
            keys.append(key)
            i += length
        }
        self.pending.removeFirst(i)
        return keys
    }

    private static func find(_ needle: [UInt8], in haystack: ArraySlice<UInt8>) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        var i = haystack.startIndex
        while i <= haystack.endIndex - needle.count {
            if haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }

    /// Pasted bytes as text: CR LF and CR become LF (terminals send CR for a line
    /// break), tab stays, other controls go (a pasted ESC must not reach the screen).
    static func pastedText(_ bytes: [UInt8]) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        var out = String.UnicodeScalarView()
        var afterCR = false
        for scalar in text.unicodeScalars {
            defer { afterCR = scalar == "\r" }
            switch scalar {
            case "\r": out.append("\n")
            case "\n": if !afterCR { out.append("\n") }
            case "\t": out.append(scalar)
            default: if !TerminalText.isControl(scalar) { out.append(scalar) }
            }
        }
        return String(out)
    }

    /// A lone ESC cannot be told from the start of a sequence; when input goes idle
    /// the caller may flush it. Returns the keys of whatever was pending.
    public mutating func flush() -> [Key] {
        defer { self.pending.removeAll() }
        return self.pending.isEmpty ? [] : [.ignored]
    }

    /// The key at the start of `bytes` and its length, or nil when more bytes are needed.
    static func decodeOne(_ bytes: ArraySlice<UInt8>) -> (Key, Int)? {
        let b = bytes[bytes.startIndex]
        switch b {
        case 0x0D, 0x0A: return (.enter, 1)
        case 0x7F, 0x08: return (.backspace, 1)
        case 0x01: return (.home, 1)  // ctrl-a
        case 0x05: return (.end, 1)  // ctrl-e
        case 0x02: return (.left, 1)  // ctrl-b
        case 0x06: return (.right, 1)  // ctrl-f
        case 0x10: return (.up, 1)  // ctrl-p
        case 0x0E: return (.down, 1)  // ctrl-n
        case 0x15: return (.killToStart, 1)  // ctrl-u
        case 0x0B: return (.killToEnd, 1)  // ctrl-k
        case 0x17: return (.deleteWord, 1)  // ctrl-w
        case 0x0C: return (.redraw, 1)  // ctrl-l
        case 0x03: return (.interrupt, 1)  // ctrl-c
        case 0x04: return (.endOfFile, 1)  // ctrl-d
        case 0x09: return (.tab, 1)
        case 0x12: return (.reverseSearch, 1)  // ctrl-r
        case 0x07: return (.cancel, 1)  // ctrl-g
        case 0x1B: return self.escape(bytes)
        case 0x00..<0x20: return (.ignored, 1)
        default: return self.utf8(bytes)
        }
    }

    /// CSI (`ESC [`) and SS3 (`ESC O`) sequences of the keys we know; others are skipped whole.
    private static func escape(_ bytes: ArraySlice<UInt8>) -> (Key, Int)? {
        let s = bytes.startIndex
        guard bytes.count >= 2 else { return nil }
        let kind = bytes[s + 1]
        switch kind {
        case UInt8(ascii: "["), UInt8(ascii: "O"): break
        case UInt8(ascii: "b"): return (.wordLeft, 2)  // alt-b
        case UInt8(ascii: "f"): return (.wordRight, 2)  // alt-f
        case 0x7F, 0x08: return (.deleteWord, 2)  // alt-backspace
        default: return (.ignored, 2)  // other alt-x
        }
        // A CSI sequence is parameters (0x30–0x3F), intermediates (0x20–0x2F), then a final byte (0x40–0x7E).
        var j = s + 2
        while j < bytes.endIndex, (0x20...0x3F).contains(bytes[j]) { j += 1 }
        guard j < bytes.endIndex else { return nil }
        let final = bytes[j]
        let params = String(decoding: bytes[(s + 2)..<j], as: UTF8.self)
        let length = j - s + 1
        let key: Key
        switch (final, params) {
        case (UInt8(ascii: "A"), _): key = .up
        case (UInt8(ascii: "B"), _): key = .down
        // With a modifier (1;3 alt, 1;5 ctrl) the arrows move by words.
        case (UInt8(ascii: "C"), let p): key = p.hasPrefix("1;") ? .wordRight : .right
        case (UInt8(ascii: "D"), let p): key = p.hasPrefix("1;") ? .wordLeft : .left
        case (UInt8(ascii: "H"), _): key = .home
        case (UInt8(ascii: "F"), _): key = .end
        case (UInt8(ascii: "~"), "1"), (UInt8(ascii: "~"), "7"): key = .home
        case (UInt8(ascii: "~"), "4"), (UInt8(ascii: "~"), "8"): key = .end
        case (UInt8(ascii: "~"), "3"): key = .delete
        case (UInt8(ascii: "~"), "5"): key = .pageUp
        case (UInt8(ascii: "~"), "6"): key = .pageDown
        default: key = .ignored
        }
        return (key, length)
    }

    private static func utf8(_ bytes: ArraySlice<UInt8>) -> (Key, Int)? {
        let b = bytes[bytes.startIndex]
        let length: Int
        switch b {
        case 0xC0...0xDF: length = 2
        case 0xE0...0xEF: length = 3
        case 0xF0...0xF7: length = 4
        case 0x20...0x7E: length = 1
        default: return (.ignored, 1)  // stray continuation or invalid lead byte
        }
        guard bytes.count >= length else { return nil }
        let chunk = bytes[bytes.startIndex..<(bytes.startIndex + length)]
        guard let string = String(validating: chunk, as: UTF8.self), let c = string.first else { return (.ignored, 1) }
        return (.text(c), length)
    }
}
