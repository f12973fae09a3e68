// SPDX-License-Identifier: Apache-2.0
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Readable single lines on stderr for running outside systemd:
/// `2026-11-23T14:00:00.123Z info chatd: message key=value key2="a b"`.
public struct StderrLogHandler: LogHandler {
    public let label: String
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public let sharedLevel: LogLevelBox
    private var levelOverride: Logger.Level?

    public init(label: String, level: LogLevelBox, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.sharedLevel = level
        self.metadataProvider = metadataProvider
    }

    public var logLevel: Logger.Level {
        get { levelOverride ?? sharedLevel.level }
        set { levelOverride = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var text = Self.format(
            timestamp: Self.now(),
            level: event.level,
            label: label,
            message: event.message,
            metadata: mergedMetadata(handler: metadata, provider: metadataProvider, event: event)
        )
        text.append("\n")
        // One write(2) per line so lines from concurrent threads do not interleave.
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let n = write(STDERR_FILENO, bytes.baseAddress! + offset, bytes.count - offset)
                if n > 0 { offset += n } else if n < 0 && errno == EINTR { continue } else { return }
            }
        }
    }

    /// The line without its trailing newline. `timestamp` is `(seconds, milliseconds)` since the epoch, UTC.
    public static func format(
        timestamp: (seconds: Int, milliseconds: Int),
        level: Logger.Level,
        label: String,
        message: Logger.Message,
        metadata: Logger.Metadata
    ) -> String {
        var line = "\(iso8601(timestamp)) \(level) \(label): \(escape("\(message)"))"
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            line += " \(escape(key))=\(quoted(escape(LogRedaction.redact(key: key, value).rendered)))"
        }
        return line
    }

    /// Control characters as `\n`, `\r`, `\t`, `\u{1B}`… so one entry is one line, and
    /// C1 and bidirectional controls too, so a logged name cannot rewrite an admin's terminal.
    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || Self.isBidiControl(scalar):
                out += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func isBidiControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0x2028, 0x2029: true
        default: false
        }
    }

    /// Values with spaces, quotes or `=` are quoted so `key=value` pairs stay parseable.
    static func quoted(_ value: String) -> String {
        guard value.isEmpty || value.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" }) else { return value }
        return "\"" + value.replacingQuotes + "\""
    }

    static func iso8601(_ t: (seconds: Int, milliseconds: Int)) -> String {
        var seconds = time_t(t.seconds)
        var tm = tm()
        gmtime_r(&seconds, &tm)
        func pad(_ n: Int32, _ width: Int) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(tm.tm_year + 1900, 4))-\(pad(tm.tm_mon + 1, 2))-\(pad(tm.tm_mday, 2))"
            + "T\(pad(tm.tm_hour, 2)):\(pad(tm.tm_min, 2)):\(pad(tm.tm_sec, 2)).\(pad(Int32(t.milliseconds), 3))Z"
    }

    static func now() -> (seconds: Int, milliseconds: Int) {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return (Int(ts.tv_sec), Int(ts.tv_nsec) / 1_000_000)
    }
}

extension String {
    fileprivate var replacingQuotes: String {
        var out = ""
        for c in self { out += c == "\"" ? "\\\"" : String(c) }
        return out
    }
}
