// SPDX-License-Identifier: Apache-2.0
import Foundation
import Logging
import Testing

@testable import Systemd

@Suite struct JournalFieldNameTests {
    @Test(arguments: [
        ("user_id", "CHAT_USER_ID"),
        ("chat.event", "CHAT_EVENT"),
        ("session-id", "CHAT_SESSION_ID"),
        ("CHAT_ROOM", "CHAT_ROOM"),
        ("admin_uid", "ADMIN_UID"),
        ("admin-uid", "ADMIN_UID"),
        ("2fa", "CHAT_2FA"),
        ("_trusted", "CHAT__TRUSTED"),
        ("", "CHAT_"),
        ("grüße", "CHAT_GR_SSE"),
        ("a b\nc", "CHAT_A_B_C"),
    ])
    func mapsKeys(_ key: String, _ field: String) {
        #expect(JournalFieldName.forMetadataKey(key) == field)
    }

    @Test func truncatesToSixtyFourBytes() {
        let field = JournalFieldName.forMetadataKey(String(repeating: "x", count: 100))
        #expect(field.utf8.count == 64)
        #expect(field == "CHAT_" + String(repeating: "X", count: 59))
    }

    @Test func everyNameIsValidForJournald() {
        for key in ["user_id", "ünïcödé", "9lives", "__", "chat_", "a.b-c d", String(repeating: "é", count: 80)] {
            let name = JournalFieldName.forMetadataKey(key)
            #expect(!name.isEmpty && name.utf8.count <= 64)
            #expect(name.utf8.allSatisfy { ($0 >= 65 && $0 <= 90) || ($0 >= 48 && $0 <= 57) || $0 == 95 }, "\(name)")
            #expect(name.utf8.first.map { $0 != 95 && !($0 >= 48 && $0 <= 57) } == true, "\(name)")
        }
    }
}

@Suite struct LogValueTests {
    struct Custom: CustomStringConvertible, Sendable { var description: String { "custom!" } }

    @Test func rendersValuesCompactly() {
        #expect(Logger.MetadataValue.string("a b\nc").rendered == "a b\nc")
        #expect(Logger.MetadataValue.stringConvertible(Custom()).rendered == "custom!")
        #expect(Logger.MetadataValue.stringConvertible(42).rendered == "42")
        #expect(Logger.MetadataValue.array(["a", .stringConvertible(1), ["x"]]).rendered == "[a,1,[x]]")
        #expect(Logger.MetadataValue.dictionary(["b": "2", "a": ["k": "v"]]).rendered == "{a={k=v},b=2}")
    }

    @Test(arguments: ["password", "PWD", "userpwd", "api_token", "pwHash", "client-secret", "Password_Again"])
    func redactsSecretKeys(_ key: String) {
        #expect(LogRedaction.isSecret(key: key))
        #expect(LogRedaction.redact(key: key, "hunter2").rendered == "<redacted>")
    }

    @Test func redactsInsideDictionariesAndLeavesOthers() {
        #expect(!LogRedaction.isSecret(key: "user_id"))
        let value: Logger.MetadataValue = ["user": "ann", "token": "t0k", "nested": ["secret": "s", "ok": "1"]]
        #expect(
            LogRedaction.redact(key: "login", value).rendered
                == "{nested={ok=1,secret=<redacted>},token=<redacted>,user=ann}"
        )
    }

    @Test func mapsLevelsToSyslogPriorities() {
        let expected: [Logger.Level: Int] = [
            .trace: 7, .debug: 7, .info: 6, .notice: 5, .warning: 4, .error: 3, .critical: 2,
        ]
        for level in Logger.Level.allCases { #expect(level.syslogPriority == expected[level]) }
    }
}

@Suite struct JournalEntryTests {
    @Test func buildsTheFieldsThatAreSent() {
        let fields = JournalEntry.fields(
            identifier: "chatd",
            label: "chatd.server",
            level: .warning,
            message: "line one\nline two",
            metadata: [
                "user_id": .stringConvertible(42), "chat.event": "join", "password": "hunter2", "admin_uid": "0",
                "note": "a\u{0}b",
            ],
            file: "ChatServer/Server.swift",
            function: "accept()",
            line: 17
        )
        #expect(
            fields == [
                "MESSAGE=line one\nline two",
                "PRIORITY=4",
                "SYSLOG_IDENTIFIER=chatd",
                "CODE_FILE=ChatServer/Server.swift",
                "CODE_LINE=17",
                "CODE_FUNC=accept()",
                "CHAT_LOGGER=chatd.server",
                "ADMIN_UID=0",
                "CHAT_EVENT=join",
                "CHAT_NOTE=a\u{0}b",
                "CHAT_PASSWORD=<redacted>",
                "CHAT_USER_ID=42",
            ]
        )
    }

    /// No journald runs here (systemd is not PID 1) and sd_journal_sendv always writes to
    /// /run/systemd/journal/socket, so a real entry cannot be captured. This only checks
    /// that sending without a journal returns instead of crashing (libsystemd reports
    /// success even then: it treats a missing journal as "nothing to do").
    @Test(.enabled(if: access("/run/systemd/journal/socket", F_OK) != 0))
    func missingJournalDoesNotCrash() {
        _ = JournalLogHandler.send(["MESSAGE=hello", "PRIORITY=6", "CHAT_NOTE=a\nb"])
    }
}
