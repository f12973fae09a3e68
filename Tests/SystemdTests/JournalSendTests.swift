// SPDX-License-Identifier: Apache-2.0
import ChatTesting
import Foundation
import Logging
import TestTier
import Testing

@testable import Systemd

/// A real `sd_journal_sendv` entry, caught by a test-owned socket. libsystemd always
/// writes to /run/systemd/journal/socket, so the child runs in a private mount namespace
/// (`unshare -m`, needs root) where a temp dir is bind-mounted over /run/systemd; nothing
/// outside the namespace changes.
extension ProcessEnvironmentTests {
    @Suite(.integration) struct JournalSendTests {
        static let childVariable = "CHATD_SYSTEMD_JOURNAL_CHILD"

        @Test(.enabled(if: geteuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare")))
        func sendsANativeEntryWithMultiLineValues() async throws {
            let journal = try NotifySocket(name: "journal/socket")
            let (status, stderr) = try await runTestChild(
                filter: "JournalChild",
                environment: [Self.childVariable: "1"],
                wrapper: [
                    "/usr/bin/unshare", "-m", "--propagation", "private", "/bin/sh", "-c",
                    "mount --bind \"$0\" /run/systemd && exec \"$@\"", journal.directory,
                ]
            )
            #expect(status == 0, "\(stderr)")
            let datagram = try #require(try await journal.receiveBytes())
            let fields = try #require(JournalNativeFormat.parse(datagram))
            #expect(fields.contains("MESSAGE=first line\nsecond line"))
            #expect(fields.contains("PRIORITY=3"))
            #expect(fields.contains("SYSLOG_IDENTIFIER=chatd"))
            #expect(fields.contains("CHAT_USER_ID=7"))
            #expect(fields.contains("CHAT_EVENT=join\nleave"))
            #expect(fields.contains("CHAT_TOKEN=<redacted>"))
            #expect(fields.contains { $0.hasPrefix("CODE_FILE=") && $0.hasSuffix("JournalSendTests.swift") })
            #expect(fields.contains { $0.hasPrefix("CODE_LINE=") })
            #expect(fields.contains("CODE_FUNC=sendEntry()"))
            try await journal.shutdown()
        }
    }
}

/// Runs only as the child; skipped in a normal test run.
@Suite struct JournalChild {
    @Test(
        .enabled(if: ProcessInfo.processInfo.environment[ProcessEnvironmentTests.JournalSendTests.childVariable] != nil)
    )
    func sendEntry() {
        let logger = Logger(label: "chatd") {
            JournalLogHandler(label: $0, identifier: "chatd", level: LogLevelBox(.info))
        }
        logger.error(
            "first line\nsecond line",
            metadata: ["user_id": "7", "chat.event": "join\nleave", "token": "t0k"]
        )
    }
}

/// journald's native protocol: `NAME=value\n`, or for values with a newline
/// `NAME\n` + little-endian UInt64 length + value + `\n`.
enum JournalNativeFormat {
    static func parse(_ bytes: [UInt8]) -> [String]? {
        var fields: [String] = []
        var i = 0
        while i < bytes.count {
            guard let end = bytes[i...].firstIndex(where: { $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "=") })
            else { return nil }
            let name = String(decoding: bytes[i..<end], as: UTF8.self)
            if bytes[end] == UInt8(ascii: "=") {
                guard let newline = bytes[end...].firstIndex(of: UInt8(ascii: "\n")) else { return nil }
                fields.append(name + "=" + String(decoding: bytes[(end + 1)..<newline], as: UTF8.self))
                i = newline + 1
            } else {
                guard end + 9 <= bytes.count else { return nil }
                let length = bytes[(end + 1)..<(end + 9)].reversed().reduce(0) { $0 << 8 | Int($1) }
                let start = end + 9
                guard start + length < bytes.count else { return nil }
                fields.append(name + "=" + String(decoding: bytes[start..<(start + length)], as: UTF8.self))
                i = start + length + 1
            }
        }
        return fields
    }
}
