// SPDX-License-Identifier: Apache-2.0
import ChatTesting
import Foundation
import Logging
import TestTier
import Testing

@testable import Systemd

/// Children inherit the environment, so these run with the other environment tests.
extension ProcessEnvironmentTests {
    /// `SystemdLogging.bootstrap` end to end, in a child process (see ``runTestChild``).
    @Suite(.integration) struct LoggingBootstrapTests {
        static let reportVariable = "CHATD_SYSTEMD_LOGGING_REPORT"

        @Test func logsReadableLinesToStderrAndFollowsLevelChanges() async throws {
            let dir = try TestSockets.temporaryDirectory()
            defer { TestSockets.removeDirectory(dir) }
            let (status, stderr) = try await runTestChild(
                filter: "LoggingChild",
                environment: [Self.reportVariable: dir + "/report"]
            )
            #expect(status == 0)
            #expect(try String(contentsOfFile: dir + "/report", encoding: .utf8) == "stderr")
            let lines = stderr.split(separator: "\n").filter { $0.contains(" chatd: ") }.map(String.init)
            let timestamp = #/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z /#
            #expect(lines.count == 2, "\(stderr)")
            #expect(lines.allSatisfy { $0.contains(timestamp) })
            #expect(lines.first?.hasSuffix(" info chatd: visible password=<redacted> user_id=7") == true)
            #expect(lines.last?.hasSuffix(" debug chatd: debug after the level changed") == true)
        }

        @Test func choosesTheJournalWhenStderrIsTheJournalStream() async throws {
            let dir = try TestSockets.temporaryDirectory()
            defer { TestSockets.removeDirectory(dir) }
            let (status, stderr) = try await runTestChild(
                filter: "LoggingChild",
                environment: [Self.reportVariable: dir + "/report"],
                journalStreamIsStderr: true
            )
            #expect(status == 0)
            #expect(try String(contentsOfFile: dir + "/report", encoding: .utf8) == "journal")
            #expect(!stderr.contains(" chatd: "))  // went to the journal (absent here), not stderr
        }
    }
}

/// Runs only as the child; skipped in a normal test run.
@Suite struct LoggingChild {
    @Test(
        .enabled(
            if: ProcessInfo.processInfo.environment[ProcessEnvironmentTests.LoggingBootstrapTests.reportVariable] != nil
        )
    )
    func bootstrapAndLog() throws {
        let path = try #require(
            ProcessInfo.processInfo.environment[ProcessEnvironmentTests.LoggingBootstrapTests.reportVariable]
        )
        let destination = SystemdLogging.bootstrap(identifier: "chatd", level: .info)
        let logger = Logger(label: "chatd")
        logger.debug("debug before the level changed")
        logger.info("visible", metadata: ["user_id": "7", "password": "hunter2"])
        SystemdLogging.sharedLevel.level = .debug  // what SIGHUP would do
        logger.debug("debug after the level changed")
        try "\(destination)".write(toFile: path, atomically: true, encoding: .utf8)
    }
}
