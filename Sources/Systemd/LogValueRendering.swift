// SPDX-License-Identifier: Apache-2.0
import Logging

extension Logger.MetadataValue {
    /// Compact one-value text: strings as they are, `[a,b]` for arrays, `{k=v,k2=v2}`
    /// (keys sorted, so output is stable) for dictionaries.
    public var rendered: String {
        switch self {
        case .string(let s): s
        case .stringConvertible(let c): c.description
        case .array(let array): "[" + array.map(\.rendered).joined(separator: ",") + "]"
        case .dictionary(let dict):
            "{" + dict.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.rendered)" }.joined(separator: ",") + "}"
        }
    }
}

extension Logger.Level {
    /// syslog(3) priority as journald's `PRIORITY=` expects.
    public var syslogPriority: Int {
        switch self {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }
}
