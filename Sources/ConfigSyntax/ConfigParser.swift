// SPDX-License-Identifier: Apache-2.0
/// The syntax of chatd's and `chat`'s config files, one set of rules for both:
///
/// - `key = value`, one per line; blank lines are ignored.
/// - `#` starts a comment at the start of a line or after white space, so
///   `max_connections = 500  # busy` is 500 while `redis_url = redis://:pa#ss@h` keeps its `#`.
/// - A value in double or single quotes is taken as written, spaces and `#` included
///   (`motd = "hello  "`); there are no escapes, so a value holding one kind of quote is
///   written in the other. Only a comment may follow the closing quote.
/// - Unknown keys and keys set twice are errors, so a typo does not pass silently.
public enum ConfigParser {
    /// The file's settings by key. Every error names `path:line`.
    public static func parse(
        _ text: String,
        path: String,
        keys: Set<String>
    ) throws(ConfigSyntaxError) -> [String: ConfigEntry] {
        var entries: [String: ConfigEntry] = [:]
        // Lines end at LF; a CR before it (a file from Windows) is white space like any other.
        for (index, raw) in text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            func fail(_ message: String) -> ConfigSyntaxError {
                ConfigSyntaxError(path: path, line: number, message: message)
            }
            let line = Substring(String(String.UnicodeScalarView(raw))).trimmed
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let equals = line.firstIndex(of: "=") else { throw fail("expected \"key = value\"") }
            let key = String(line[..<equals].trimmed)
            guard !key.isEmpty else { throw fail("missing key before \"=\"") }
            guard keys.contains(key) else { throw fail("unknown key \"\(key)\"") }
            if let first = entries[key] { throw fail("\"\(key)\" is set twice (first on line \(first.line))") }
            let value = try Self.value(line[line.index(after: equals)...].trimmed, fail)
            entries[key] = ConfigEntry(key: key, value: value, line: number)
        }
        return entries
    }

    /// The text after `=`, trimmed: quoted, or plain up to a comment.
    private static func value(
        _ text: Substring,
        _ fail: (String) -> ConfigSyntaxError
    ) throws(ConfigSyntaxError) -> String {
        guard let quote = text.first, quote == "\"" || quote == "'" else {
            var end = text.endIndex
            var previous: Character = " "
            for index in text.indices {
                if text[index] == "#", previous.isWhitespace {
                    end = index
                    break
                }
                previous = text[index]
            }
            return String(text[..<end].trimmed)
        }
        let body = text.dropFirst()
        guard let close = body.firstIndex(of: quote) else { throw fail("unterminated \(quote) quote") }
        let rest = body[body.index(after: close)...].trimmed
        guard rest.isEmpty || rest.hasPrefix("#") else {
            throw fail("unexpected \"\(rest)\" after the closing \(quote) quote (quote the whole value)")
        }
        return String(body[..<close])
    }
}

/// One setting from a config file, with the line it is on (for error messages).
public struct ConfigEntry: Sendable, Equatable {
    public var key: String
    public var value: String
    public var line: Int

    public init(key: String, value: String, line: Int) {
        self.key = key
        self.value = value
        self.line = line
    }
}

/// A line of the file that does not follow the syntax; printed as `path:line: message`.
public struct ConfigSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var line: Int
    public var message: String

    public init(path: String, line: Int, message: String) {
        self.path = path
        self.line = line
        self.message = message
    }

    public var description: String { "\(path):\(line): \(message)" }
}

extension Substring {
    fileprivate var trimmed: Substring {
        var text = self
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return text
    }
}
