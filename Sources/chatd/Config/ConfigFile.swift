import Foundation

/// The config file's syntax: `key = value` lines, `#` starts a comment line, blank
/// lines are ignored, values may be wrapped in double quotes to keep spaces.
struct ConfigFile: Equatable {
    var entries: [String: String] = [:]

    init(entries: [String: String] = [:]) { self.entries = entries }

    init(parsing text: String, path: String) throws(ConfigError) {
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let equals = line.firstIndex(of: "=") else {
                throw .syntax(path: path, line: index + 1, "expected \"key = value\"")
            }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
                value = String(value.dropFirst().dropLast())
            }
            guard !key.isEmpty else { throw .syntax(path: path, line: index + 1, "missing key") }
            guard ConfigKey(rawValue: key) != nil else {
                throw .syntax(path: path, line: index + 1, "unknown key \"\(key)\"")
            }
            guard self.entries[key] == nil else {
                throw .syntax(path: path, line: index + 1, "\"\(key)\" is set twice")
            }
            self.entries[key] = value
        }
    }
}

enum ConfigError: Error, Equatable, CustomStringConvertible {
    case unreadable(path: String, String)
    case syntax(path: String, line: Int, String)
    case invalid(key: String, value: String, String)

    var description: String {
        switch self {
        case let .unreadable(path, why): return "\(path): \(why)"
        case let .syntax(path, line, why): return "\(path):\(line): \(why)"
        case let .invalid(key, value, why): return "\(key) = \"\(value)\": \(why)"
        }
    }
}
