// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import ChatTesting
import Foundation
import TestTier
import Testing

/// chatd as the unprivileged user the .deb runs it as (the other tests run as root,
/// which hides socket options only root may set).
@Suite(.integration) struct UnprivilegedTests {
    @Test(.enabled(if: getuid() == 0, "needs root to switch to nobody"))
    func chatdServesAsNobody() async throws {
        try await RedisServerProcess.with { redis in
            let directory = try TestSockets.temporaryDirectory()
            defer { TestSockets.removeDirectory(directory) }
            chmod(directory, 0o777)
            let environment = ChatdProcess.environment()
            let arguments = [
                "--reuid=65534", "--regid=65534", "--clear-groups", productPath("chatd"),
                "--config", "/dev/null", "--listen", "127.0.0.1:0",
                "--control-socket", directory + "/control.sock", "--redis", redis.url,
            ]
            let (process, log) = try await TestProcess.launch(
                "/usr/bin/setpriv",
                arguments: arguments,
                environment: environment,
                readyLine: "chatd ready",
                timeout: .seconds(30)
            )
            defer { kill(process.pid, SIGKILL) }
            let text = log.withLockedValue { $0 }
            let port = try #require(text.firstMatch(of: /chat_listen=\S*:(\d+)/).flatMap { Int($0.1) })
            let client = try await TestChatClient.connect(port: port)
            #expect(try await client.register(1, name: "ann", password: "pw").code == 200)
            #expect(try await client.login(1, password: "pw").0.code == 200)
            #expect(!log.withLockedValue { $0 }.contains("Permission denied"))
            kill(process.pid, SIGTERM)
            #expect(try await process.exited.get() == 0)
        }
    }
}
