// SPDX-License-Identifier: Apache-2.0
import ChatTesting
import Foundation
import TestTier
import Testing

/// A reload that reads a bad Redis URL with a password says why without the password:
/// neither chatctl's answer nor chatd's log has it.
@Suite(.integration) struct ReloadSecretTests {
    @Test func reloadRefusesABadRedisURLWithoutQuotingItsPassword() async throws {
        try await RedisServerProcess.with { redis in
            // No --redis flag: it would beat the file, and the reload would not read redis_url.
            let chatd = try await ChatdProcess.start(redisURL: nil, config: "redis_url = \(redis.url)\n")
            do {
                let configPath = chatd.directory.appendingPathComponent("chatd.conf").path
                try "redis_url = redis://:s3cret-pw@localhost:notaport\n".write(
                    toFile: configPath,
                    atomically: true,
                    encoding: .utf8
                )
                let reload = try await Chatctl.run(["reload"], socket: chatd.controlSocket)
                #expect(reload.status == 1)
                #expect(reload.stderr.contains(#"redis_url = "redis://***@localhost:notaport""#), "\(reload.stderr)")
                #expect(!(reload.stdout + reload.stderr).contains("s3cret"))
                // chatd still runs on its old configuration.
                #expect(try await Chatctl.run(["status"], socket: chatd.controlSocket).status == 0)
            } catch {
                try await chatd.stop()
                throw error
            }
            try await chatd.stop()
            #expect(chatd.output.contains("reload failed"))
            #expect(!chatd.output.contains("s3cret"), "\(chatd.output)")
        }
    }
}
