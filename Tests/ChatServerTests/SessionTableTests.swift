// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing

@testable import ChatServer

#if canImport(Glibc)
import Glibc
#endif

/// The table that says who is on each kept socket: what one process records, the
/// next reads back from the same memory file — also after a crash mid-way.
@Suite struct SessionTableTests {
    private static func memoryFile() throws -> CInt {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("table-\(UUID().uuidString)").path
        let fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0o600)
        unlink(path)
        try #require(fd >= 0)
        return fd
    }

    private static func entry(_ n: Int, name: String = "ann") -> SessionTable.Entry {
        SessionTable.Entry(
            inode: UInt64(1000 + n),
            user: n,
            session: SessionID(rawValue: String(format: "%012x", 0xabc000 + n)),
            tokenFamily: UInt64.max - UInt64(n),
            connectedAt: 1_700_000_000_000 + Int64(n),
            username: name
        )
    }

    @Test func whatOneProcessRecordsTheNextReadsBack() throws {
        let fd = try Self.memoryFile()
        defer { close(fd) }
        let table = try SessionTable(creatingIn: fd, node: "0123456789ab")
        for n in 1...5 { try table.record(Self.entry(n, name: "user \(n) ✓")) }
        table.clear(Self.entry(2).session)
        table.clear(Self.entry(4).session)

        let (reopened, entries) = try #require(SessionTable.open(fd))
        #expect(reopened.node == "0123456789ab")
        #expect(entries.sorted { $0.user < $1.user } == [1, 3, 5].map { Self.entry($0, name: "user \($0) ✓") })

        // Freed slots are reused: the file does not grow with churn.
        let size = lseek(fd, 0, SEEK_END)
        try reopened.record(Self.entry(6))
        try reopened.record(Self.entry(7))
        #expect(lseek(fd, 0, SEEK_END) == size)
        #expect(SessionTable.open(fd)?.entries.count == 5)
    }

    @Test func aLongNameIsCutNotLost() throws {
        let fd = try Self.memoryFile()
        defer { close(fd) }
        let table = try SessionTable(creatingIn: fd, node: "n")
        let long = String(repeating: "é", count: 100)  // 200 bytes: more than a slot holds
        try table.record(Self.entry(1, name: long))
        let name = try #require(SessionTable.open(fd)?.entries.first?.username)
        #expect(!name.isEmpty && long.hasPrefix(name.prefix(10)))
    }

    @Test func aFileThatIsNotATableIsRefused() throws {
        let fd = try Self.memoryFile()
        defer { close(fd) }
        let junk = [UInt8](repeating: 0x41, count: 512)
        _ = junk.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        #expect(SessionTable.open(fd) == nil)
    }
}
