// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import ChatStore
import ChatTesting
import Logging
import NIOCore
import NIOEmbedded
import NIOPosix
import RedisClient
import TestTier
import Testing

@testable import ChatServer

/// The router and the hub in this process, without a chatd: requests go straight to
/// `RequestRouter.handle`, sessions are `NIOAsyncTestingChannel`s, and the store is a
/// real redis-server (no stand-in for Redis, the project's rule).
@Suite(.integration, .timeLimit(.minutes(1))) struct RequestRouterTests {
    struct Node {
        let router: RequestRouter
        let hub: Hub
        let loop: NIOAsyncTestingEventLoop

        /// A connected session channel on the node's test loop, and its origin.
        func connect(_ port: Int) async throws -> (NIOAsyncTestingChannel, RequestRouter.Origin) {
            let channel = NIOAsyncTestingChannel(loop: self.loop)
            try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: port))
            let origin = RequestRouter.Origin(
                session: SessionID.random(),
                channel: channel,
                peer: "127.0.0.1:\(port)",
                address: "127.0.0.1",
                connectedAt: 0,
                stats: SessionStats(now: 0),
                user: nil
            )
            return (channel, origin)
        }

        /// Registers and logs in `id`; returns the session's channel and its origin as
        /// the session handler would hold it after the login.
        func user(_ id: Int, _ name: String) async throws -> (NIOAsyncTestingChannel, RequestRouter.Origin) {
            var (channel, origin) = try await self.connect(40_000 + id)
            let user = User(userid: id, userpwd: "pw", username: name)
            let registered = await self.router.handle(.register(RegisterMes(user: user)), from: origin)
            #expect(try Self.decode(registered.replies) == [.registerResult(RegisterResMes(code: StatusCode.ok))])
            let login = await self.router.handle(.login(LoginMes(userid: id, userpwd: "pw")), from: origin)
            let identity: UserIdentity = try #require(login.loggedIn)
            origin.user = identity
            return (channel, origin)
        }

        static func decode(_ frames: [ByteBuffer]) throws -> [ServerMessage] {
            try frames.map { frame in
                var frame = frame
                frame.moveReaderIndex(forwardBy: 4)  // the length prefix
                return try ServerMessage.decode(frame)
            }
        }
    }

    func withNode(_ body: (Node) async throws -> Void) async throws {
        try await RedisServerProcess.with { server in
            let redis = RedisClient(
                configuration: try RedisConfiguration(url: server.url),
                eventLoopGroup: MultiThreadedEventLoopGroup.singleton
            )
            var storeConfiguration = StoreConfiguration()
            storeConfiguration.scrypt = ScryptParameters(n: 1024, r: 8, p: 1)
            let store = ChatStore(redis: redis, configuration: storeConfiguration)
            var serverConfiguration = ServerConfiguration()
            serverConfiguration.registrationOpen = true
            let configuration = ConfigurationBox(serverConfiguration)
            let logger = Logger(label: "RequestRouterTests")
            let hub = Hub(node: "test", store: store, configuration: configuration, logger: logger)
            let router = RequestRouter(store: store, hub: hub, configuration: configuration, logger: logger)
            let loop = NIOAsyncTestingEventLoop()
            do {
                try await body(Node(router: router, hub: hub, loop: loop))
            } catch {
                await redis.shutdown()
                await loop.shutdownGracefully()
                throw error
            }
            await redis.shutdown()
            await loop.shutdownGracefully()
        }
    }

    @Test func aLoginRegistersTheSessionAndAWrongPasswordDoesNot() async throws {
        try await self.withNode { node in
            let (_, ann) = try await node.user(1, "ann")
            #expect(node.hub.sessions(of: 1).map(\.id) == [ann.session])
            #expect(node.hub.isOnline(1))

            let (_, stranger) = try await node.connect(50_000)
            let refused = await node.router.handle(.login(LoginMes(userid: 1, userpwd: "nope")), from: stranger)
            #expect(refused.loggedIn == nil)
            guard case .loginResult(let result) = try Node.decode(refused.replies).first else {
                Issue.record("no login result: \(refused.replies)")
                return
            }
            #expect(result.code != StatusCode.ok)
            #expect(node.hub.sessions(of: 1).count == 1)
        }
    }

    /// A group message is stored, acknowledged to its sender and fanned out to every
    /// other session on the node's loop (written when the loop's gathering flushes).
    @Test func aGroupMessageReachesTheOtherSessionNotTheSender() async throws {
        try await self.withNode { node in
            let (annChannel, ann) = try await node.user(1, "ann")
            let (bobChannel, _) = try await node.user(2, "bob")
            let outcome = await node.router.handle(.sms(SmsMes(content: "hello")), from: ann)
            guard case .smsResult(let result) = try Node.decode(outcome.replies).first else {
                Issue.record("no sms result: \(outcome.replies)")
                return
            }
            #expect(result.code == StatusCode.ok)

            await node.loop.advanceTime(by: .milliseconds(50))  // the gathering's flush
            var sms: [SmsMes] = []
            while sms.isEmpty {  // presence notices may come first; the time limit bounds the wait
                let written = try await bobChannel.waitForOutboundWrite(as: ByteBuffer.self)
                sms = try Self.frames(in: written).compactMap { if case .sms(let sms) = $0 { sms } else { nil } }
            }
            #expect(sms.map(\.content) == ["hello"])
            #expect(sms.first?.userid == 1 && sms.first?.username == "ann")
            #expect(sms.first?.id == result.id)
            // Ann's own message does not come back to her (her channel has only notices).
            while let frame = try await annChannel.readOutbound(as: ByteBuffer.self) {
                #expect(!(try Self.frames(in: frame)).contains { if case .sms = $0 { true } else { false } })
            }
        }
    }

    /// Frames one after another in one write, decoded.
    static func frames(in buffer: ByteBuffer) throws -> [ServerMessage] {
        var buffer = buffer
        var messages: [ServerMessage] = []
        while let length = buffer.readInteger(as: UInt32.self) {
            guard let frame = buffer.readSlice(length: Int(length)) else { break }
            messages.append(try ServerMessage.decode(frame))
        }
        return messages
    }
}
