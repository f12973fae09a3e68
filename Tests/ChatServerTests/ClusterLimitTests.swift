// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import ChatTesting
import Foundation
import TestTier
import Testing

/// Per-address limits are counted in Redis: an address spread over two nodes gets no
/// more than it would on one.
@Suite(.integration) struct ClusterLimitTests {
    static func twoNodes(_ environment: [String: String], _ body: ([Deployment]) async throws -> Void) async throws {
        try await RedisServerProcess.with { redis in
            let nodes = [
                try await ChatdProcess.start(redisURL: redis.url, environment: environment),
                try await ChatdProcess.start(redisURL: redis.url, environment: environment),
            ]
            defer { for node in nodes { kill(node.pid, SIGKILL) } }
            try await body(nodes.map { Deployment(redis: redis, chatd: $0) })
        }
    }

    @Test func registrationsFromOneAddressCountOnEveryNode() async throws {
        try await Self.twoNodes(["CHATD_REGISTRATIONS_PER_ADDRESS": "2"]) { on in
            #expect(try await on[0].client().register(1, name: "a", password: "p").code == StatusCode.ok)
            #expect(try await on[1].client().register(2, name: "b", password: "p").code == StatusCode.ok)
            let third = try await on[0].client().register(3, name: "c", password: "p")
            #expect(third.code == StatusCode.rateLimited)
            #expect(third.error == "too many registrations from your address, try later")
            #expect(try await on[1].client().register(4, name: "d", password: "p").code == StatusCode.rateLimited)
            // Another address is counted on its own.
            #expect(
                try await on[1].client(from: "127.0.0.2").register(5, name: "e", password: "p").code == StatusCode.ok
            )
        }
    }

    @Test func failedLoginsFromOneAddressCountOnEveryNode() async throws {
        // No per-user wait: only the per-address total is under test.
        try await Self.twoNodes(["CHATD_LOGIN_FAILURES_PER_ADDRESS": "3", "CHATD_LOGIN_FAILURES_PER_USER": "0"]) { on in
            #expect(try await on[0].client().register(1, name: "owner", password: "right").code == StatusCode.ok)
            let guesser = "127.0.0.2"
            for (node, guess) in [(0, "a"), (1, "b"), (0, "c")] {
                #expect(
                    try await on[node].client(from: guesser).login(1, password: guess).0.code
                        == StatusCode.wrongPassword
                )
            }
            // The fourth try, on the node that saw only one failure, waits; the right
            // password from elsewhere does not.
            let fourth = try await on[1].client(from: guesser).login(1, password: "right").0
            #expect(fourth.code == StatusCode.rateLimited)
            #expect(fourth.error.hasPrefix("too many failed logins, try again in "))
            #expect(try await on[1].client().login(1, password: "right").0.code == StatusCode.ok)
        }
    }
}
