// SPDX-License-Identifier: Apache-2.0
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Where the password comes from, in order: `--password-stdin`, a password file
/// (flag > `CHAT_PASSWORD_FILE` > config), else a prompt without echo.
public enum Credentials {
    /// The password in a file's contents: its first line, without the line break.
    public static func password(fromFileContents text: String) -> String {
        // Split on any newline: "\r\n" is a single Character, so "\n" alone would miss it.
        String(text.split(maxSplits: 1, omittingEmptySubsequences: false, whereSeparator: \.isNewline).first ?? "")
    }

    public static func readPasswordFile(_ path: String) throws(ChatFailure) -> String {
        let expanded = PathText.expandingTilde(path)
        guard let data = FileManager.default.contents(atPath: expanded) else {
            throw ChatFailure(.usage, "cannot read password file \(path)")
        }
        let password = self.password(fromFileContents: String(decoding: data, as: UTF8.self))
        guard !password.isEmpty else { throw ChatFailure(.usage, "password file \(path) is empty") }
        return password
    }

    /// One line from stdin, read byte by byte so that nothing after it is consumed
    /// (the rest of stdin may be the messages to send). Nil at EOF before any byte.
    public static func readLineFromStdin() -> String? {
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            let n = read(STDIN_FILENO, &byte, 1)
            if n < 0 && errno == EINTR { continue }
            guard n == 1 else { return line.isEmpty ? nil : String(decoding: line, as: UTF8.self) }
            if byte == UInt8(ascii: "\n") { break }
            line.append(byte)
        }
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        return String(decoding: line, as: UTF8.self)
    }
}
