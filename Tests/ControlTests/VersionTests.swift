// SPDX-License-Identifier: Apache-2.0
import BuildInfo
import ChatTesting
import ControlProtocol
import Foundation
import TestTier
import Testing

/// `--version` on every program and `chatctl status`: the package's version, from one place,
/// and the commit the binaries were built from.
@Suite(.integration) struct VersionTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The version the .deb gets (the changelog's top entry, without a Debian revision) is the programs'.
    @Test func versionIsTheChangelogs() throws {
        let changelog = try String(
            contentsOf: Self.root.appendingPathComponent("packaging/debian/changelog"),
            encoding: .utf8
        )
        let top = try #require(changelog.split(separator: "\n").first)
        let open = try #require(top.firstIndex(of: "("))
        let close = try #require(top.firstIndex(of: ")"))
        let debianVersion = top[top.index(after: open)..<close]
        let upstream = debianVersion.lastIndex(of: "-").map { debianVersion[..<$0] } ?? debianVersion
        #expect(String(upstream) == Version.number, "packaging/debian/changelog says \(debianVersion)")
    }

    /// Built from this checkout (as the tests are), the commit is its HEAD.
    @Test func commitIsTheCheckoutsHead() async throws {
        try #require(
            FileManager.default.fileExists(atPath: Self.root.appendingPathComponent(".git").path),
            "not a git checkout"
        )
        let head = try await runToCompletion(
            "/usr/bin/git",
            ["-C", Self.root.path, "-c", "safe.directory=*", "rev-parse", "--short=7", "HEAD"]
        )
        try #require(head.status == 0, "\(head.output)")
        #expect(Version.commit == head.output.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(Version.text == "\(Version.number) (git \(Version.commit ?? "?"))")
    }

    @Test(arguments: ["chatd", "chat", "chatctl", "chat-bench"])
    func versionFlag(program: String) async throws {
        let result = try await runToCompletion(productPath(program), ["--version"])
        #expect(result.status == 0)
        #expect(result.output == "\(program) \(Version.text)\n")
    }

    @Test func statusShowsTheNodesVersion() async throws {
        try await Deployment.with { chatd in
            let status = try await chatd.chatctl("status")
            #expect(status.status == 0)
            #expect(
                status.lines.contains { $0.hasPrefix("version:") && $0.hasSuffix(" \(Version.text)") },
                "\(status.stdout)"
            )
            let json = try await chatd.chatctl("--json", "status").json
            #expect(json["version"]?.string == Version.number)
            #expect(json["commit"] == Version.commit.map { JSONValue.string($0) } ?? .null)
        }
    }
}
