// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import ChatTesting
import Foundation
import NIOCore
import RedisClient

/// A private redis-server and the real chatd on it, for one test.
struct Fixture: Sendable {
    let redis: RedisServerProcess
    let chatd: ChatdProcess

    var socket: String { self.chatd.controlSocket }
    /// The config file chatd reads (and re-reads on reload).
    var configPath: String { self.chatd.directory.appendingPathComponent("chatd.conf").path }

    static func with(config: String = "", environment: [String: String] = [:], _ body: (Fixture) async throws -> Void) async throws {
        try await RedisServerProcess.with { redis in
            let chatd = try await ChatdProcess.start(redisURL: redis.url, environment: environment, config: config)
            do {
                try await body(Fixture(redis: redis, chatd: chatd))
            } catch {
                _ = try? await chatd.stop()
                throw error
            }
            try await chatd.stop()
        }
    }

    /// chatctl as root against this chatd.
    func chatctl(_ arguments: String..., stdin: String? = nil) async throws -> ChatctlRun {
        try await Chatctl.run(arguments, socket: self.socket, stdin: stdin)
    }

    /// A registered user logged in on a new connection.
    func login(_ id: Int, password: String = "pw") async throws -> TestChatClient {
        let client = try await TestChatClient.connect(port: self.chatd.port)
        let (result, _) = try await client.login(id, password: password)
        guard result.code == StatusCode.ok else { throw FixtureError.loginFailed(id, result.code) }
        return client
    }

    /// Registers users 1…n named user1… with password "pw".
    func register(_ ids: ClosedRange<Int>) async throws {
        let client = try await TestChatClient.connect(port: self.chatd.port)
        for id in ids {
            let result = try await client.register(id, name: "user\(id)", password: "pw")
            guard result.code == StatusCode.ok else { throw FixtureError.registerFailed(id, result.code) }
        }
        await client.close()
    }

    /// A Redis command straight to the test's server (to plant seed records).
    func redisCommand(_ arguments: String...) async throws {
        let client = RedisClient(configuration: try RedisConfiguration(url: self.redis.url))
        _ = try await client.send(arguments)
        await client.shutdown()
    }

    /// The login code a fresh connection gets. A session that got in logs out, and
    /// is gone (chatd closed it) when this returns.
    func loginCode(_ id: Int, password: String = "pw") async throws -> Int {
        let client = try await TestChatClient.connect(port: self.chatd.port)
        let (result, _) = try await client.login(id, password: password)
        if result.code == StatusCode.ok {
            try await client.send(.logout)
            _ = try await client.collectUntilClosed()
        }
        await client.close()
        return result.code
    }
}

enum FixtureError: Error {
    case loginFailed(Int, Int)
    case registerFailed(Int, Int)
}

extension TestChatClient {
    /// The "127.0.0.1:port" chatd shows as this client's peer.
    var peer: String { "127.0.0.1:\(self.channel.localAddress?.port ?? 0)" }
}
