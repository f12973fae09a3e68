// SPDX-License-Identifier: Apache-2.0

import NIOConcurrencyHelpers

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's terminal: raw mode for the line editor, and the guarantee that
/// the original settings come back however the program ends.
public enum Terminal {
    /// The settings before raw mode, while raw mode is on.
    private static let saved = NIOLockedValueBox<termios?>(nil)
    /// Whether we asked the terminal for bracketed paste and must switch it off again.
    private static let pasteMode = NIOLockedValueBox(false)

    /// Bracketed paste on and off: the terminal wraps a paste in ESC[200~ … ESC[201~,
    /// so a pasted line break is text, not Enter (see `KeyDecoder`).
    static let bracketedPasteOn = "\u{1B}[?2004h", bracketedPasteOff = "\u{1B}[?2004l"

    public static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }

    /// Raw-ish mode on stdin: bytes arrive one by one, unechoed, and ctrl-c / ctrl-z
    /// arrive as bytes instead of signals. Output processing stays on, so "\n"
    /// still moves to the start of the next line. Bracketed paste goes on with it.
    public static func enterRawMode() throws(ChatFailure) {
        var original = termios()
        guard tcgetattr(STDIN_FILENO, &original) == 0 else {
            throw ChatFailure(.usage, "cannot read terminal settings: \(String(cString: strerror(errno)))")
        }
        var raw = original
        raw.c_lflag &= ~tcflag_t(ECHO | ICANON | ISIG | IEXTEN)
        raw.c_iflag &= ~tcflag_t(IXON | ICRNL | BRKINT | INPCK | ISTRIP)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        self.saved.withLockedValue { $0 = original }
        guard tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0 else {
            self.saved.withLockedValue { $0 = nil }
            throw ChatFailure(.usage, "cannot set raw mode: \(String(cString: strerror(errno)))")
        }
        self.pasteMode.withLockedValue { $0 = true }
        self.output(self.bracketedPasteOn)
    }

    /// The terminal's width in columns, or nil when stdout is not a terminal.
    public static func columns() -> Int? {
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }

    /// Puts the original settings back (bracketed paste off too); safe to call any
    /// number of times, from the exit paths and the signal handlers alike.
    public static func restore() {
        let pasting = self.pasteMode.withLockedValue { on in
            defer { on = false }
            return on
        }
        if pasting { self.output(self.bracketedPasteOff) }
        self.saved.withLockedValue { saved in
            guard var original = saved else { return }
            _ = tcsetattr(STDIN_FILENO, TCSANOW, &original)
            saved = nil
        }
    }

    /// Writes all of `text` to `fd` (stdout unless told), retrying short writes.
    public static func output(_ text: String, to fd: Int32 = STDOUT_FILENO) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { buf in
                write(fd, buf.baseAddress! + offset, buf.count - offset)
            }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }  // stdout closed: nothing sensible left to do
            offset += n
        }
    }

    /// One line for stderr, prefixed with the program's name. Sanitized here, the one
    /// way out for failures, as they may quote the server's words or names.
    public static func warn(_ message: String) {
        self.output("chat: \(sanitize(message))\n", to: STDERR_FILENO)
    }

    /// Reads a line from the controlling terminal with echo off (for passwords);
    /// nil when there is no terminal to ask on.
    public static func readSecret(prompt: String) -> String? {
        self.readLineFromTTY(prompt: prompt, echo: false)
    }

    /// Reads a line from the controlling terminal, echoed; nil without a terminal.
    public static func ask(_ prompt: String) -> String? {
        self.readLineFromTTY(prompt: prompt, echo: true)
    }

    private static func readLineFromTTY(prompt: String, echo: Bool) -> String? {
        let fd = open("/dev/tty", O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var original = termios()
        let haveTermios = tcgetattr(fd, &original) == 0
        if !echo && haveTermios {
            var quiet = original
            quiet.c_lflag &= ~tcflag_t(ECHO)
            quiet.c_lflag |= tcflag_t(ECHONL)
            self.saved.withLockedValue { $0 = $0 ?? original }  // a signal now must restore echo too
            _ = tcsetattr(fd, TCSANOW, &quiet)
        }
        defer {
            if !echo && haveTermios {
                _ = tcsetattr(fd, TCSANOW, &original)
                self.saved.withLockedValue { $0 = nil }
            }
        }
        self.output(prompt, to: fd)
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            let n = read(fd, &byte, 1)
            if n < 0 && errno == EINTR { continue }
            guard n == 1 else { return line.isEmpty ? nil : String(decoding: line, as: UTF8.self) }
            if byte == UInt8(ascii: "\n") { break }
            line.append(byte)
        }
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        return String(decoding: line, as: UTF8.self)
    }
}
