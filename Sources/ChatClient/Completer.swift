// SPDX-License-Identifier: Apache-2.0
import ChatProtocol

/// Tab completion, pure: slash commands at the start of the line, a user id after
/// `/msg` (found by id or by name), a user name anywhere else. Users are the ones
/// the client knows to be online.
public struct Completer: Sendable, Equatable {
    public enum Result: Sendable, Equatable {
        /// Nothing matches.
        case none
        /// Replace the last `count` characters before the cursor with `text`.
        case replace(count: Int, with: String)
        /// Several match and share no longer prefix: show them.
        case candidates([String])
    }

    /// Online users by id.
    public var users: [Int: String] = [:]

    public init(users: [Int: String] = [:]) { self.users = users }

    /// Completes the word that ends at the cursor; `before` is the line up to the cursor.
    public func complete(_ before: String) -> Result {
        let word = String(before.reversed().prefix { !$0.isWhitespace }.reversed())
        let head = before.dropLast(word.count)
        let options: [(shown: String, text: String)]
        if head.isEmpty && word.first == "/" {
            options = InputLine.commands.filter { $0.hasPrefix(word) }.map { ($0, $0 + " ") }
        } else if ["/msg", "/m"].contains(head.split(separator: " ").first.map(String.init) ?? ""),
            head.split(whereSeparator: \.isWhitespace).count == 1
        {
            let key = word.lowercased()
            options = self.users.sorted { $0.key < $1.key }
                .filter { String($0.key).hasPrefix(key) || $0.value.lowercased().hasPrefix(key) }
                .map { ("\(sanitize($0.value))(\($0.key))", "\($0.key) ") }
        } else {
            guard !word.isEmpty else { return .none }
            let key = word.lowercased()
            // Names one could not type back (spaces, controls) are not offered.
            let names = Set(
                self.users.values.filter { name in
                    name.lowercased().hasPrefix(key)
                        && !name.unicodeScalars.contains { TerminalText.isControl($0) || $0.properties.isWhitespace }
                }
            )
            options = names.sorted().map { ($0, $0 + " ") }
        }
        guard let first = options.first else { return .none }
        if options.count == 1 { return .replace(count: word.count, with: first.text) }
        let common = options.dropFirst().reduce(first.text) { prefix, option in
            String(zip(prefix, option.text).prefix { $0 == $1 }.map(\.0))
        }
        // Case-insensitive name matches may share no prefix with what was typed.
        if common.count > word.count, common.lowercased().hasPrefix(word.lowercased()) {
            return .replace(count: word.count, with: common)
        }
        return .candidates(options.map(\.shown))
    }
}
