// SPDX-License-Identifier: Apache-2.0
import ChatTesting
import Foundation
import Testing

@testable import Systemd

@Suite struct LogDestinationTests {
    private func deviceAndInode(_ fd: CInt) -> String {
        var st = stat()
        fstat(fd, &st)
        return "\(st.st_dev):\(st.st_ino)"
    }

    @Test func journalOnlyWhenTheStreamMatches() throws {
        let dir = try TestSockets.temporaryDirectory()
        defer { TestSockets.removeDirectory(dir) }
        let a = open(dir + "/a", O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        let b = open(dir + "/b", O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        defer {
            close(a)
            close(b)
        }

        #expect(LogDestination.detect(journalStream: deviceAndInode(a), fd: a) == .journal)
        #expect(LogDestination.detect(journalStream: deviceAndInode(b), fd: a) == .stderr)
        #expect(LogDestination.detect(journalStream: nil, fd: a) == .stderr)
        #expect(LogDestination.detect(journalStream: "garbage", fd: a) == .stderr)
        #expect(LogDestination.detect(journalStream: deviceAndInode(a) + ":1", fd: a) == .stderr)
        #expect(LogDestination.detect(journalStream: deviceAndInode(a), fd: -1) == .stderr)
    }
}

extension ProcessEnvironmentTests {
    @Suite struct JournalStreamTests {
        @Test func detectReadsJournalStreamAgainstStderr() async {
            var st = stat()
            fstat(STDERR_FILENO, &st)
            await withEnvironment(["JOURNAL_STREAM": "\(st.st_dev):\(st.st_ino)"]) {
                #expect(LogDestination.detect() == .journal)
            }
            await withEnvironment(["JOURNAL_STREAM": "\(st.st_dev):\(st.st_ino &+ 1)"]) {
                #expect(LogDestination.detect() == .stderr)
            }
            await withEnvironment(["JOURNAL_STREAM": nil]) {
                #expect(LogDestination.detect() == .stderr)
            }
        }
    }
}
