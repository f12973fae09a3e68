// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import ChatTesting
import Foundation
import NIOConcurrencyHelpers
import Testing

/// A redis-server and the chatd processes a reconnect test starts and stops on it
/// (the same port again, or another node), with ann (100), bob (200) and carol (300)
/// registered and a `chat` environment for ann and bob.
final class ReconnectFixture: Sendable {
    let redis: RedisServerProcess
    let cli: EndToEndTests.CLI
    let home: URL
    let annPW: String
    let bobPW: String
    private let running = NIOLockedValueBox<[ChatdProcess]>([])

    /// Runs `body` with the first chatd started; stops what still runs however it ends.
    static func with(_ body: (ReconnectFixture, ChatdProcess) async throws -> Void) async throws {
        try await RedisServerProcess.with { redis in
            let home = FileManager.default.temporaryDirectory.appendingPathComponent(
                "chat-reconnect-\(UUID().uuidString)"
            )
            try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: home) }
            let first = try await ChatdProcess.start(redisURL: redis.url)
            let fixture = try ReconnectFixture(redis: redis, home: home, port: first.port)
            fixture.running.withLockedValue { $0.append(first) }
            do {
                try await fixture.register(port: first.port)
                try await body(fixture, first)
            } catch {
                await fixture.stopAll()
                throw error
            }
            await fixture.stopAll()
        }
    }

    private init(redis: RedisServerProcess, home: URL, port: Int) throws {
        self.redis = redis
        self.home = home
        self.cli = EndToEndTests.CLI(server: "127.0.0.1:\(port)", home: home)
        self.annPW = try self.cli.passwordFile("ann.pw", "ann-secret")
        self.bobPW = try self.cli.passwordFile("bob.pw", "bob-secret")
    }

    private func register(port: Int) async throws {
        let client = try await TestChatClient.connect(port: port)
        for (id, name) in [(100, "ann"), (200, "bob"), (300, "carol")] {
            #expect(try await client.register(id, name: name, password: "\(name)-secret").code == StatusCode.ok)
        }
        await client.close()
    }

    /// Another chatd on the same redis: on `port` (the one a stopped chatd had), or a free one.
    func start(port: Int = 0) async throws -> ChatdProcess {
        let chatd = try await ChatdProcess.start(redisURL: self.redis.url, port: port)
        self.running.withLockedValue { $0.append(chatd) }
        return chatd
    }

    /// SIGTERM (chatd drains: every session is kicked with `reconnect: true`) or SIGKILL (connections just drop).
    func stop(_ chatd: ChatdProcess, signal: Int32 = SIGTERM) async throws {
        self.running.withLockedValue { $0.removeAll { $0.pid == chatd.pid } }
        try await chatd.stop(signal: signal)
    }

    private func stopAll() async {
        for chatd in self.running.withLockedValue({ $0 }) { _ = try? await chatd.stop() }
        self.running.withLockedValue { $0.removeAll() }
    }

    /// Carol, logged in on `chatd`.
    func carol(on chatd: ChatdProcess) async throws -> TestChatClient {
        let carol = try await TestChatClient.connect(port: chatd.port)
        #expect(try await carol.login(300, password: "carol-secret").0.code == StatusCode.ok)
        return carol
    }

    /// Carol says `text` to everyone and waits until it is stored.
    func say(_ text: String, as carol: TestChatClient) async throws {
        try await carol.send(.sms(SmsMes(content: text)))
        let ack = try await carol.next { if case .smsResult(let r) = $0 { r } else { nil } }
        #expect(ack.code == StatusCode.ok)
    }

    /// Waits until `client` hears that `user` came online.
    func awaitOnline(_ user: Int, seenBy client: TestChatClient) async throws {
        _ = try await client.next(
            { m -> Bool? in
                if case .notifyUserStatus(let n) = m, n.userid == user, n.status == UserStatus.online { return true }
                return nil
            },
            timeout: .seconds(30)
        )
    }
}

/// A running process's stdout as it grows: `until` reads until a condition holds.
struct GrowingOutput {
    private var iterator: AsyncStream<String>.Iterator
    private(set) var text = ""

    init(_ process: CLIProcess) { self.iterator = process.stdoutChunks.makeAsyncIterator() }

    /// Reads until `done` holds for everything read so far; false if stdout ended first.
    mutating func until(_ done: (String) -> Bool) async -> Bool {
        while !done(self.text) {
            guard let chunk = await self.iterator.next() else { return false }
            self.text += chunk
        }
        return true
    }
}
