// SPDX-License-Identifier: Apache-2.0
import ConfigSyntax

/// chatd's config file: the shared syntax (ConfigSyntax), with chatd's keys.
struct ConfigFile: Equatable {
    var path = ""
    var entries: [String: ConfigEntry] = [:]

    init() {}

    init(parsing text: String, path: String) throws(ConfigError) {
        self.path = path
        do {
            self.entries = try ConfigParser.parse(text, path: path, keys: Set(ConfigKey.allCases.map(\.rawValue)))
        } catch {
            throw .syntax(path: error.path, line: error.line, error.message)
        }
    }
}

/// Where a setting's value came from, so that an error about it says where to fix it.
public enum ConfigSource: Equatable, Sendable {
    case file(path: String, line: Int)
    /// `CHATD_…`
    case environment(String)
    /// `--…`
    case flag(String)
}

public enum ConfigError: Error, Equatable, CustomStringConvertible {
    case unreadable(path: String, String)
    case syntax(path: String, line: Int, String)
    /// A bad value, or one that does not fit with another; `load` adds where it came from.
    case invalid(key: String, value: String, String)
    case invalidAt(ConfigSource, key: String, value: String, String)

    public var description: String {
        switch self {
        case let .unreadable(path, why): return "\(path): \(why)"
        case let .syntax(path, line, why): return "\(path):\(line): \(why)"
        case let .invalid(key, value, why): return "\(key) = \"\(value)\": \(why)"
        case let .invalidAt(.file(path, line), key, value, why): return "\(path):\(line): \(key) = \"\(value)\": \(why)"
        case let .invalidAt(.environment(name), _, value, why): return "\(name)=\"\(value)\": \(why)"
        case let .invalidAt(.flag(flag), _, value, why): return "\(flag) \"\(value)\": \(why)"
        }
    }
}

extension ConfigError {
    /// An `.invalid` error with where its key was set, when it was set somewhere.
    public func located(_ sources: [String: ConfigSource]) -> ConfigError {
        guard case let .invalid(key, value, why) = self, let source = sources[key] else { return self }
        return .invalidAt(source, key: key, value: value, why)
    }
}
