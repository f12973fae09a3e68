// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import ControlProtocol

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// How values from chatd are shown to people.
enum Format {
    /// Milliseconds since the epoch as local date and time (TZ, else /etc/localtime);
    /// "-" for none. strftime, not DateFormatter: that is ICU, and ICU's data is 34 MB.
    static func time(_ millis: Int64?) -> String {
        guard let millis, millis > 0 else { return "-" }
        var seconds = time_t(millis / 1000)
        var local = tm()
        tzset()
        guard localtime_r(&seconds, &local) != nil else { return "-" }
        var buffer = [CChar](repeating: 0, count: 64)
        let count = strftime(&buffer, buffer.count, "%Y-%m-%d %H:%M:%S", &local)
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// A duration in its two largest units: 42s, 3m05s, 2h04m, 3d02h.
    static func duration(seconds: Int) -> String {
        let s = max(0, seconds)
        switch s {
        case ..<60: return "\(s)s"
        case ..<3600: return "\(s / 60)m" + two(s % 60) + "s"
        case ..<86400: return "\(s / 3600)h" + two(s % 3600 / 60) + "m"
        default: return "\(s / 86400)d" + two(s % 86400 / 3600) + "h"
        }
    }

    static func yesNo(_ value: Bool?) -> String { value == true ? "yes" : "no" }

    static func plural(_ count: Int, _ noun: String) -> String { "\(count) \(noun)\(count == 1 ? "" : "s")" }

    /// JSON for scripts: stable key order, one document, no raw control (C1, bidi).
    static func json(_ value: JSONValue) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return "null" }
        return TerminalText.escapedJSON(String(decoding: data, as: UTF8.self))
    }

    /// An --all-nodes answer's coverage: "3 answered" or "2 answered, no answer from 9c8d…".
    static func nodesAnswered(_ answered: [String]?, missing: [String]?) -> String {
        let line = "\(answered?.count ?? 0) answered"
        let missing = missing ?? []
        return missing.isEmpty ? line : line + ", no answer from " + missing.joined(separator: ", ")
    }

    /// A value as text for a table cell ("-" when absent).
    static func cell(_ value: (some CustomStringConvertible)?) -> String { value.map(\.description) ?? "-" }

    private static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
