// SPDX-License-Identifier: Apache-2.0
import ChatClient
import Foundation
import Testing

@Suite struct HistoryFileTests {
    func withDirectory(_ body: (String) throws -> Void) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("chat-history-\(UUID().uuidString)")
            .path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try body(dir)
    }

    func mode(_ path: String) throws -> Int {
        try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    @Test func entriesSurviveARestartInAPrivateFile() throws {
        try self.withDirectory { dir in
            let path = dir + "/state/chat/history"
            var file = HistoryFile(path: path)
            #expect(try file.load() == [])
            let entries = ["hello", "two\nlines", #"back\slash \n literal"#, "中文 😀", "crlf\r\npasted"]
            try file.append(Array(entries[0..<2]))
            try file.append(Array(entries[2...]))
            var again = HistoryFile(path: path)
            #expect(try again.load() == entries)
            #expect(try self.mode(path) == 0o600)
            #expect(try self.mode(dir + "/state/chat") == 0o700)
            #expect(try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").count == 5)
        }
    }

    @Test func anExistingLooseFileBecomesPrivate() throws {
        try self.withDirectory { dir in
            let path = dir + "/history"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            _ = FileManager.default.createFile(
                atPath: path,
                contents: Data("old\n".utf8),
                attributes: [.posixPermissions: 0o644]
            )
            var file = HistoryFile(path: path)
            try file.append(["new"])
            #expect(try self.mode(path) == 0o600)
            #expect(try file.load() == ["old", "new"])
        }
    }

    @Test func aDirectoryThatCannotBeMadeIsNamed() throws {
        try self.withDirectory { dir in
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: dir + "/file", contents: Data())
            var file = HistoryFile(path: dir + "/file/chat/history")
            let failure = #expect(throws: HistoryFile.Failure.self) { try file.append(["lost"]) }
            #expect(failure?.message == "cannot create \(dir)/file/chat: Not a directory")
        }
    }

    @Test func onlyTheNewestAreKept() throws {
        try self.withDirectory { dir in
            let path = dir + "/history"
            var file = HistoryFile(path: path, limit: 5)
            try file.append((1...3).map { "line \($0)" })
            try file.append((4...8).map { "line \($0)" })  // past the limit: rewritten
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(text == (4...8).map { "line \($0)\n" }.joined(), "\(text)")
            #expect(try self.mode(path) == 0o600)
            // A longer file (another session, an older limit) is cut when loaded.
            var smaller = HistoryFile(path: path, limit: 2)
            #expect(try smaller.load() == ["line 7", "line 8"])
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "line 7\nline 8\n")
        }
    }

    @Test func pathFollowsXDG() {
        #expect(HistoryFile.path(environment: ["XDG_STATE_HOME": "/s", "HOME": "/h"]) == "/s/chat/history")
        #expect(
            HistoryFile.path(environment: ["XDG_STATE_HOME": "relative", "HOME": "/h"])
                == "/h/.local/state/chat/history"
        )
        #expect(HistoryFile.path(environment: [:]) == nil)
    }

    @Test func editorHistoryReloadsAndSkipsSecrets() {
        var e = LineEditor(prompt: "> ")
        e.loadHistory(["from last time"])
        e.secrets = ["hunter2"]
        _ = e.feed(Array("my password is hunter2\rhello\r".utf8))
        #expect(e.history == ["from last time", "hello"])
        #expect(e.remembered == 1)
        _ = e.feed(Array((Keys.up + Keys.up).utf8))
        #expect(e.line == "from last time")
    }
}
