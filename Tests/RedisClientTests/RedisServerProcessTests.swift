// SPDX-License-Identifier: Apache-2.0
import ChatTesting
import Foundation
import NIOPosix
import TestTier
import Testing

/// ChatTesting has no test target of its own; its Redis helper is checked here.
@Suite(.timeLimit(.minutes(1)), .integration)
struct RedisServerProcessTests {
    struct Boom: Error {}

    @Test func serverIsStoppedAndCleanedUpWhenTheBodyThrows() async throws {
        var seen: (pid: Int32?, directory: URL)?
        await #expect(throws: Boom.self) {
            try await RedisServerProcess.with { server in
                seen = (server.pid, server.directory)
                #expect(server.url == "redis://127.0.0.1:\(server.port)")
                throw Boom()
            }
        }
        let pid = try #require(seen?.pid)
        #expect(kill(pid, 0) == -1 && errno == ESRCH, "redis-server must be gone")
        #expect(!FileManager.default.fileExists(atPath: try #require(seen?.directory.path)))
    }

    @Test func kill9AndRestartKeepThePort() async throws {
        try await RedisServerProcess.with { server in
            let firstPID = try #require(server.pid)
            await server.kill9()
            #expect(server.pid == nil)
            try await server.restart()
            let secondPID = try #require(server.pid)
            #expect(secondPID != firstPID)
            #expect(kill(firstPID, 0) == -1)
        }
    }

    @Test func freePortsAreUsablePorts() {
        let port = freeLoopbackPort()
        #expect((1...65535).contains(port))
    }

    /// Tests that need "nothing listens here" rely on this while other tests start servers.
    @Test func aRefusingPortRefusesConnectsAndCannotBeBound() async throws {
        try await withRefusingLoopbackPort { port in
            let group = MultiThreadedEventLoopGroup.singleton
            await #expect(throws: (any Error).self) {
                try await ClientBootstrap(group: group).connect(host: "127.0.0.1", port: port).get().close()
            }
            // NIO's server bootstrap sets SO_REUSEADDR, as redis-server and systemd-socket-activate do.
            await #expect(throws: (any Error).self) {
                try await ServerBootstrap(group: group)
                    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                    .bind(host: "127.0.0.1", port: port).get().close()
            }
        }
    }
}
