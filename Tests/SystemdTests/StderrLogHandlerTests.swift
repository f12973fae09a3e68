// SPDX-License-Identifier: Apache-2.0
import Logging
import Testing

@testable import Systemd

@Suite struct StderrLogHandlerTests {
    // 2026-11-23T14:00:00Z
    let noon = (seconds: 1_795_442_400, milliseconds: 123)

    @Test func formatsOneReadableLine() {
        let line = StderrLogHandler.format(
            timestamp: noon,
            level: .info,
            label: "chatd",
            message: "message",
            metadata: ["key2": "value2", "key": "value"]
        )
        #expect(line == "2026-11-23T14:00:00.123Z info chatd: message key=value key2=value2")
    }

    @Test func escapesQuotesAndRedacts() {
        let line = StderrLogHandler.format(
            timestamp: (seconds: 0, milliseconds: 5),
            level: .error,
            label: "chatd.redis",
            message: "two\nlines",
            metadata: ["reply": "a \"b\"\nc", "empty": "", "userpwd": "x", "tab": "\t\u{1B}\\"]
        )
        #expect(
            line
                == #"1970-01-01T00:00:00.005Z error chatd.redis: two\nlines empty="" reply="a \"b\"\nc" tab=\t\u{1B}\\ userpwd=<redacted>"#
        )
        #expect(!line.contains("\n"))
    }

    /// A name logged from an old record cannot move an admin's cursor or reorder the line.
    @Test func escapesC1AndBidiControls() {
        let line = StderrLogHandler.format(
            timestamp: (seconds: 0, milliseconds: 0),
            level: .info,
            label: "chatd",
            message: "m",
            metadata: ["name": "a\u{9B}2J\u{202E}b\u{2066}"]
        )
        #expect(line.hasSuffix(#"name=a\u{9B}2J\u{202E}b\u{2066}"#))
    }

    @Test func followsTheSharedLevelUnlessOverridden() {
        let shared = LogLevelBox(.info)
        var handler = StderrLogHandler(label: "chatd", level: shared)
        let other = JournalLogHandler(label: "chatd", identifier: "chatd", level: shared)
        #expect(handler.logLevel == .info)
        shared.level = .debug  // what a SIGHUP handler does
        #expect(handler.logLevel == .debug)
        #expect(other.logLevel == .debug)
        handler.logLevel = .error
        shared.level = .trace
        #expect(handler.logLevel == .error)
        #expect(other.logLevel == .trace)
    }
}
