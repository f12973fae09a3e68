// SPDX-License-Identifier: Apache-2.0
/// What one line typed at the prompt (or read from stdin) asks for.
public enum InputLine: Sendable, Equatable {
    /// A group message (any line not starting with `/`).
    case say(String)
    case privateMessage(to: Int, text: String)
    case who
    case history(limit: Int?)
    /// `/history more` (or PgUp): the page before the last one shown.
    case historyMore
    case help
    case quit
    /// Nothing to do (an empty line).
    case empty
    /// A `/` line that is not a valid command; the text explains why.
    case invalid(String)

    public static let defaultHistoryLimit = 20

    /// What tab completes at the start of a line.
    public static let commands = ["/help", "/history", "/msg", "/quit", "/who"]

    public static let helpText = """
        /msg ID TEXT   private message to user ID
        /who           who is online
        /history [N]   the last N group messages (default \(defaultHistoryLimit))
        /history more  the page before that (also PgUp)
        /quit          log out and exit
        /help          this list
        Any other line goes to everyone. Start it with // to send a line beginning with /.
        """

    public static func parse(_ line: String) -> InputLine {
        guard line.hasPrefix("/") else {
            return line.allSatisfy(\.isWhitespace) ? .empty : .say(line)
        }
        // "//text" escapes a leading slash.
        if line.hasPrefix("//") { return .say(String(line.dropFirst())) }
        let words = line.dropFirst().split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        let name = words.first.map(String.init) ?? ""
        let rest = words.count > 1 ? words[1].trimmingWhitespace() : ""
        switch name {
        case "msg", "m":
            let parts = rest.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, let id = Int(parts[0]) else { return .invalid("usage: /msg ID TEXT") }
            let text = parts[1].trimmingWhitespace()
            guard !text.isEmpty else { return .invalid("usage: /msg ID TEXT") }
            return .privateMessage(to: id, text: String(text))
        case "who", "w":
            return rest.isEmpty ? .who : .invalid("usage: /who")
        case "history", "h":
            if rest.isEmpty { return .history(limit: nil) }
            if rest == "more" { return .historyMore }
            guard let n = Int(rest), n > 0 else { return .invalid("usage: /history [N|more] (N > 0)") }
            return .history(limit: n)
        case "help", "?":
            return .help
        case "quit", "q", "exit":
            return .quit
        default:
            return .invalid("unknown command /\(name) (try /help)")
        }
    }
}
