// SPDX-License-Identifier: Apache-2.0
import ChatTesting
import Foundation
import NIOCore
import TestTier
import Testing

/// Changes are logged with the caller's uid, method and target; params never are.
@Suite(.integration) struct AuditTests {
    @Test func changesAreLoggedWithTheCallersUIDAndNeverThePassword() async throws {
        try await RedisServerProcess.with { redis in
            // chatd started here rather than with ChatdProcess, so the test can wait for
            // the end of its output (the log is complete) after it exits.
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "chatd-audit-\(UUID().uuidString)"
            )
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let config = directory.appendingPathComponent("chatd.conf").path
            try "".write(toFile: config, atomically: true, encoding: .utf8)
            let socket = directory.appendingPathComponent("control.sock").path
            let environment = ChatdProcess.environment()
            let (chatd, log) = try await TestProcess.launch(
                productPath("chatd"),
                arguments: [
                    "--config", config, "--listen", "127.0.0.1:0", "--control-socket", socket, "--redis", redis.url,
                ],
                environment: environment,
                readyLine: "chatd ready",
                timeout: .seconds(30)
            )
            let port = try #require(
                log.withLockedValue { $0 }.firstMatch(of: /chat_listen=\S*:(\d+)/).flatMap { Int($0.1) }
            )

            let client = try await TestChatClient.connect(port: port)
            _ = try await client.register(1, name: "user1", password: "pw")
            await client.close()
            #expect(
                try await Chatctl.run(
                    ["user", "passwd", "1", "--password-stdin"],
                    socket: socket,
                    stdin: "s3cret-pass\n"
                ).status == 0
            )
            #expect(try await Chatctl.run(["user", "disable", "1", "--reason", "spam"], socket: socket).status == 0)
            #expect(try await Chatctl.run(["user", "show", "7"], socket: socket).status == 1)
            #expect(try await Chatctl.run(["user", "enable", "7"], socket: socket).status == 1)
            #expect(try await Chatctl.run(["status"], socket: socket).status == 0)

            kill(chatd.pid, SIGTERM)
            #expect(try await chatd.exited.get() == 0)
            try await chatd.outputClosed.get()
            // Quotes dropped: the stderr format quotes values with spaces, the journal has none.
            let lines = log.withLockedValue { $0 }.split(separator: "\n").map {
                $0.replacingOccurrences(of: "\"", with: "")
            }
            .filter { $0.contains("admin_method=") }
            #expect(lines.count == 3, "\(lines)")
            let passwd = try #require(lines.first { $0.contains("admin_method=user.passwd") })
            #expect(
                passwd.contains("admin_uid=0") && passwd.contains("chat_event=admin")
                    && passwd.contains("admin_target=user 1")
            )
            let disable = try #require(lines.first { $0.contains("admin_method=user.disable") })
            #expect(disable.contains("admin_outcome=ok") && disable.contains("admin_reason=spam"))
            let refused = try #require(lines.first { $0.contains("admin_method=user.enable") })
            #expect(refused.contains("admin_outcome=refused") && refused.contains("admin_target=user 7"))
            // Reading is not audited; the password is nowhere in the log.
            #expect(!lines.contains { $0.contains("admin_method=status") || $0.contains("user.get") })
            #expect(!log.withLockedValue { $0 }.contains("s3cret"))
        }
    }
}
