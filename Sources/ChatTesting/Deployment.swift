// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import Foundation
import NIOPosix
import RedisClient

/// A private redis-server and the real chatd on it, for one test: the one harness the
/// end-to-end suites share (chat, control and client tests alike).
public struct Deployment: Sendable {
    public let redis: RedisServerProcess
    public let chatd: ChatdProcess

    public init(redis: RedisServerProcess, chatd: ChatdProcess) {
        self.redis = redis
        self.chatd = chatd
    }

    /// chatd's control socket.
    public var socket: String { self.chatd.controlSocket }
    /// The config file chatd reads (and re-reads on reload).
    public var configPath: String { self.chatd.directory.appendingPathComponent("chatd.conf").path }

    /// Starts both for `body`; chatd is stopped however `body` ends (SIGTERM when it
    /// returns, so its shutdown runs as in service; SIGKILL when it threw).
    @discardableResult
    public static func with<T>(
        config: String = "",
        environment: [String: String] = [:],
        _ body: (Deployment) async throws -> T
    ) async throws -> T {
        try await RedisServerProcess.with { redis in
            let chatd = try await ChatdProcess.start(redisURL: redis.url, environment: environment, config: config)
            do {
                let result = try await body(Deployment(redis: redis, chatd: chatd))
                try await chatd.stop()
                return result
            } catch {
                _ = try? await chatd.stop(signal: SIGKILL)
                throw error
            }
        }
    }

    /// A connection from `source` (a loopback address: 127.0.0.2 is another peer to chatd).
    public func client(from source: String? = nil) async throws -> TestChatClient {
        try await TestChatClient.connect(port: self.chatd.port, source: source)
    }

    /// A logged-in client; registers the user first when it is new (an existing one is kept).
    public func user(_ id: Int, _ name: String, password: String = "pw") async throws -> TestChatClient {
        let client = try await self.client()
        let registered = try await client.register(id, name: name, password: password)
        guard registered.code == StatusCode.ok || registered.code == StatusCode.badRequest else {
            throw DeploymentError.registerFailed(id, registered.code)
        }
        let (login, _) = try await client.login(id, password: password)
        guard login.code == StatusCode.ok else { throw DeploymentError.loginFailed(id, login.code) }
        return client
    }

    /// A registered user logged in on a new connection.
    public func login(_ id: Int, password: String = "pw") async throws -> TestChatClient {
        let client = try await self.client()
        let (result, _) = try await client.login(id, password: password)
        guard result.code == StatusCode.ok else { throw DeploymentError.loginFailed(id, result.code) }
        return client
    }

    /// Registers users named user<id> with password "pw", on one connection.
    public func register(_ ids: ClosedRange<Int>) async throws {
        let client = try await self.client()
        for id in ids {
            let result = try await client.register(id, name: "user\(id)", password: "pw")
            guard result.code == StatusCode.ok else { throw DeploymentError.registerFailed(id, result.code) }
        }
        await client.close()
    }

    /// The login code a fresh connection gets. A session that got in logs out, and
    /// is gone (chatd closed it) when this returns.
    public func loginCode(_ id: Int, password: String = "pw") async throws -> Int {
        let client = try await self.client()
        let (result, _) = try await client.login(id, password: password)
        if result.code == StatusCode.ok {
            try await client.send(.logout)
            _ = try await client.collectUntilClosed()
        }
        await client.close()
        return result.code
    }

    /// One command straight to the test's Redis, as an admin would type it (to plant
    /// seed records, or to look at what chatd stored).
    @discardableResult
    public func redisCommand(_ arguments: [String]) async throws -> RESPValue {
        try await self.redis.command(arguments)
    }

    @discardableResult
    public func redisCommand(_ arguments: String...) async throws -> RESPValue {
        try await self.redis.command(arguments)
    }
}

extension RedisServerProcess {
    /// One command on this server over a connection of its own.
    @discardableResult
    public func command(_ arguments: [String]) async throws -> RESPValue {
        let client = RedisClient(
            configuration: try RedisConfiguration(url: self.url),
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton
        )
        // Shut down behind the reply, not before returning it: a shutdown can wait on
        // the server, and a test that just sent CLIENT PAUSE must act inside the pause.
        defer { Task { await client.shutdown() } }
        return try await client.send(arguments)
    }
}

public enum DeploymentError: Error {
    case loginFailed(Int, Int)
    case registerFailed(Int, Int)
}
