// SPDX-License-Identifier: Apache-2.0
import ChatTesting
import Dispatch
import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Testing

@testable import Systemd

/// Turns the watchdog's missed-round/resume log events into marker datagrams in the
/// notify socket, so the test knows exactly which pings were sent after a missed round.
struct MarkerLogHandler: LogHandler {
    let socket: NotifySocket
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(event: LogEvent) {
        switch event.level {
        case .debug: socket.sendMarker("MARKER=missed")
        case .notice: socket.sendMarker("MARKER=resumed")
        default: break
        }
    }
}

extension ProcessEnvironmentTests {
    @Suite struct WatchdogTests {
        @Test func intervalFollowsWatchdogUSecAndPID() async {
            await withEnvironment(["WATCHDOG_USEC": "200000", "WATCHDOG_PID": "\(getpid())"]) {
                #expect(Watchdog.interval() == .milliseconds(200))
            }
            await withEnvironment(["WATCHDOG_USEC": "200000", "WATCHDOG_PID": nil]) {
                #expect(Watchdog.interval() == .milliseconds(200))
            }
            await withEnvironment(["WATCHDOG_USEC": "200000", "WATCHDOG_PID": "\(getpid() + 1)"]) {
                #expect(Watchdog.interval() == nil)
            }
            await withEnvironment(["WATCHDOG_USEC": nil, "WATCHDOG_PID": nil]) {
                #expect(Watchdog.interval() == nil)
            }
        }

        @Test func returnsAtOnceWhenDisabled() async throws {
            let socket = try NotifySocket()
            try await withEnvironment(["NOTIFY_SOCKET": socket.path]) {
                let notifier = try #require(SystemdNotifier())
                await Watchdog.run(loops: [], notifier: notifier, interval: .milliseconds(200))
                await Watchdog.run(
                    loops: [MultiThreadedEventLoopGroup.singleton.any()],
                    notifier: notifier,
                    interval: nil
                )
            }
            try await socket.shutdown()
        }

        @Test func pingsOnlyWhileEveryLoopTurns() async throws {
            let interval = Duration.milliseconds(200)
            let socket = try NotifySocket()
            let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
            let loops = Array(group.makeIterator())
            try await withEnvironment(["NOTIFY_SOCKET": socket.path]) {
                let notifier = try #require(SystemdNotifier())
                let logger = Logger(label: "test.watchdog") { _ in MarkerLogHandler(socket: socket) }
                let watchdog = Task {
                    await Watchdog.run(loops: loops, notifier: notifier, interval: interval, logger: logger)
                }
                defer { watchdog.cancel() }  // also when an expectation throws

                // Loops turn: pings arrive. (A loaded machine may miss a round; markers are fine here.)
                try await receiveUntil("WATCHDOG=1", from: socket, count: 3)

                // Stall one loop. The blocking closure puts a marker in the queue when it
                // starts; any round checked after that marker that misses an answer proves
                // later rounds are queued behind the block. Pings from rounds answered
                // before the block may still arrive until then, so they are skipped.
                let release = DispatchSemaphore(value: 0)
                defer { release.signal() }  // never leave the loop blocked, or shutdown hangs
                loops[1].execute {
                    socket.sendMarker("MARKER=blocked")
                    release.wait()
                }
                try await receiveUntil("MARKER=blocked", from: socket)
                try await receiveUntil("MARKER=missed", from: socket)

                // Bounded wait of five intervals: no ping may arrive.
                let deadline = ContinuousClock.now + interval * 5
                while ContinuousClock.now < deadline {
                    let datagram = try await socket.receive(timeout: deadline - ContinuousClock.now)
                    #expect(datagram != "WATCHDOG=1", "pinged while a loop was blocked")
                }

                // Release: the watchdog notices and pings again.
                release.signal()
                try await receiveUntil("MARKER=resumed", from: socket)
                try await receiveUntil("WATCHDOG=1", from: socket)

                watchdog.cancel()
                await watchdog.value
            }
            try await group.shutdownGracefully()
            try await socket.shutdown()
        }
    }
}

/// Reads datagrams until `count` of them equal `wanted`; fails if that takes longer than
/// a generous bound (other datagrams may keep arriving meanwhile).
private func receiveUntil(
    _ wanted: String,
    from socket: NotifySocket,
    count: Int = 1,
    sourceLocation: SourceLocation = #_sourceLocation
) async throws {
    let deadline = ContinuousClock.now + .seconds(10)
    var seen = 0
    while seen < count {
        let remaining = deadline - ContinuousClock.now
        let datagram = remaining > .zero ? try await socket.receive(timeout: remaining) : nil
        try #require(datagram != nil, "no \(wanted) arrived", sourceLocation: sourceLocation)
        if datagram == wanted { seen += 1 }
    }
}

extension ProcessEnvironmentTests {
    @Suite struct WatchdogServiceTests {
        @Test(arguments: [Duration.milliseconds(200), nil])
        func pingsUntilGracefulShutdown(interval: Duration?) async throws {
            let socket = try NotifySocket()
            let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            try await withEnvironment(["NOTIFY_SOCKET": socket.path]) {
                let notifier = try #require(SystemdNotifier())
                let service = WatchdogService(
                    loops: Array(group.makeIterator()),
                    notifier: notifier,
                    interval: interval
                )
                let serviceGroup = ServiceGroup(services: [service], logger: Logger(label: "test.group"))
                let running = Task { try await serviceGroup.run() }
                if interval != nil {
                    #expect(try await socket.receive() == "WATCHDOG=1")
                }
                // A disabled watchdog must not end the group by itself returning.
                await serviceGroup.triggerGracefulShutdown()
                try await running.value
            }
            try await group.shutdownGracefully()
            try await socket.shutdown()
        }
    }
}
