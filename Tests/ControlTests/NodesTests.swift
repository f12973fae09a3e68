// SPDX-License-Identifier: Apache-2.0
import BuildInfo
import ChatProtocol
import ChatTesting
import ControlProtocol
import Foundation
import TestTier
import Testing

/// `chatctl nodes`: every node on the Redis, as each described itself.
@Suite(.integration) struct NodesTests {
    @Test func everyNodeIsListedWithItsAddressVersionAndSessions() async throws {
        try await Deployment.with(environment: ["CHATD_PRESENCE_TTL": "3"]) { chatd in
            let other = try await ChatdProcess.start(
                redisURL: chatd.redis.url,
                environment: ["CHATD_PRESENCE_TTL": "3"]
            )
            defer { Task { _ = try? await other.stop() } }
            try await chatd.register(1...1)
            let ann = try await TestChatClient.connect(port: other.port)
            #expect(try await ann.login(1, password: "pw").0.code == StatusCode.ok)

            // Asked until the other node's heartbeat (every second here) counts ann.
            var listed: [JSONValue] = []
            for _ in 0..<100 {
                listed = try await chatd.chatctl("--json", "nodes").json["nodes"]?.array ?? []
                if listed.count == 2,
                    listed.contains(where: {
                        $0["address"]?.string == "127.0.0.1:\(other.port)" && $0["sessions"]?.int == 1
                    })
                {
                    break
                }
                try await Task.sleep(for: .milliseconds(100))  // between questions, not instead of one
            }
            #expect(listed.count == 2)
            let here = try #require(listed.first { $0["this_node"]?.bool == true })
            let there = try #require(listed.first { $0["this_node"]?.bool == false })
            #expect(here["address"]?.string == "127.0.0.1:\(chatd.chatd.port)")
            #expect(there["address"]?.string == "127.0.0.1:\(other.port)")
            #expect(there["sessions"]?.int == 1)
            #expect(listed.allSatisfy { $0["version"]?.string == Version.text })

            let human = try await chatd.chatctl("nodes")
            #expect(human.status == 0)
            #expect(human.stdout.contains("(this)") && human.stdout.contains("127.0.0.1:\(other.port)"))
            await ann.close()
        }
    }
}
