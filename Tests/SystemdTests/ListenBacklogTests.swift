// SPDX-License-Identifier: Apache-2.0
import ChatTesting
import Foundation
import NIOCore
import NIOPosix
import TestTier
import Testing

@testable import Systemd

@Suite(.integration) struct ListenBacklogTests {
    enum Family: String, CaseIterable, CustomTestStringConvertible {
        case tcp, unix
        var testDescription: String { rawValue }
    }

    /// A listener of `family` with `backlog`, plus its cleanup.
    private func listener(_ family: Family, backlog: Int32?) throws -> (fd: CInt, cleanup: @Sendable () -> Void) {
        switch family {
        case .tcp:
            return (try TestSockets.tcpListener(backlog: backlog), {})
        case .unix:
            let dir = try TestSockets.temporaryDirectory()
            return (
                try TestSockets.unixSocket(path: dir + "/listen", backlog: backlog),
                { TestSockets.removeDirectory(dir) }
            )
        }
    }

    @Test(arguments: Family.allCases)
    func readsTheBacklogGivenToListen(_ family: Family) throws {
        let (fd, cleanup) = try listener(family, backlog: 777)
        defer {
            close(fd)
            cleanup()
        }
        #expect(try listenBacklog(ofListeningSocket: fd) == 777)
        // A second listen() changes the limit; the kernel must report the new one.
        #expect(listen(fd, 55) == 0)
        #expect(try listenBacklog(ofListeningSocket: fd) == 55)
    }

    @Test func agreesWithSS() async throws {
        let fd = try TestSockets.tcpListener(backlog: 777)
        defer { close(fd) }
        let port = TestSockets.localPort(fd)
        let output = try await runToCompletion("/usr/bin/ss", ["-ltnH", "sport = :\(port)"]).output
        // Columns: State Recv-Q Send-Q Local Peer; Send-Q of a listener is its backlog.
        let columns = output.split(whereSeparator: \.isWhitespace)
        #expect(columns.count >= 3 && columns[2] == "777", "ss said: \(output)")
        #expect(try listenBacklog(ofListeningSocket: fd) == 777)
    }

    @Test func rejectsSocketsThatAreNotListening() throws {
        let fd = try TestSockets.tcpListener(backlog: nil)
        defer { close(fd) }
        #expect(throws: ListenBacklogError.notListening(fd: fd)) { try listenBacklog(ofListeningSocket: fd) }
    }

    @Test func fallsBackToSomaxconn() throws {
        let text = try String(contentsOfFile: "/proc/sys/net/core/somaxconn", encoding: .utf8)
        let somaxconn = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(somaxconn != nil)
        #expect(systemSomaxconn() == somaxconn)
        // A pipe is no socket, so diagnostics are impossible.
        var pipeFDs: [CInt] = [0, 0]
        #expect(pipe(&pipeFDs) == 0)
        defer {
            close(pipeFDs[0])
            close(pipeFDs[1])
        }
        #expect(adoptionBacklog(fd: pipeFDs[0]) == somaxconn)
        let fd = try TestSockets.tcpListener(backlog: 777)
        defer { close(fd) }
        #expect(adoptionBacklog(fd: fd) == 777)
    }

    enum Adoption: String, CaseIterable, CustomTestStringConvertible {
        /// NIO's default: shrinks to 128. Proves the test can fail.
        case plain
        /// Only `.serverChannelOption(.backlog, …)`: NIO 2.101.2 listens with 128 before
        /// applying options to an adopted socket, so this shrinks too.
        case optionOnly
        /// ``ServerBootstrap/withBoundSocketPreservingBacklog(_:)``.
        case preserving
        var testDescription: String { rawValue }
    }

    /// Adopting the socket into NIO keeps 777 only when the backlog is restored.
    @Test(arguments: Family.allCases, Adoption.allCases)
    func survivesAdoptionIntoNIO(_ family: Family, adoption: Adoption) async throws {
        let (fd, cleanup) = try listener(family, backlog: 777)
        defer { cleanup() }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let bootstrap = ServerBootstrap(group: group)
        // The channel owns fd from here on and closes it.
        let channel: Channel
        switch adoption {
        case .plain:
            channel = try await bootstrap.withBoundSocket(fd).get()
        case .optionOnly:
            channel = try await bootstrap.serverChannelOption(.backlog, value: 777).withBoundSocket(fd).get()
        case .preserving:
            channel = try await bootstrap.withBoundSocketPreservingBacklog(fd).get()
        }
        let after = try listenBacklog(ofListeningSocket: fd)
        try await channel.close()
        try await group.shutdownGracefully()
        #expect(after == (adoption == .preserving ? 777 : 128))
    }
}
