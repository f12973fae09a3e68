import Dispatch
import Foundation
import Logging
import NIOCore
import NIOPosix
import Testing
@testable import Systemd

/// Turns the watchdog's stall/resume log events into marker datagrams in the notify
/// socket, so the test knows exactly which pings were sent after a stall was noticed.
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
        case .warning: socket.sendMarker("MARKER=stalled")
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
                await Watchdog.run(loops: [MultiThreadedEventLoopGroup.singleton.any()], notifier: notifier, interval: nil)
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

                // Loops turn: pings arrive.
                for _ in 0..<3 { #expect(try await socket.receive() == "WATCHDOG=1") }

                // Stall one loop. A round that got its answer before the stall may still
                // ping; after the watchdog noticed the stall, none may.
                let release = DispatchSemaphore(value: 0)
                loops[1].execute { release.wait() }
                var beforeNotice = try await socket.receive()
                while beforeNotice == "WATCHDOG=1" { beforeNotice = try await socket.receive() }
                #expect(beforeNotice == "MARKER=stalled")

                // Bounded wait of five intervals: nothing at all may arrive.
                let deadline = ContinuousClock.now + interval * 5
                while ContinuousClock.now < deadline {
                    let datagram = try await socket.receive(timeout: deadline - ContinuousClock.now)
                    #expect(datagram == nil, "received \(datagram ?? "") while a loop was blocked")
                }

                // Release: the watchdog notices and pings again.
                release.signal()
                #expect(try await socket.receive() == "MARKER=resumed")
                #expect(try await socket.receive() == "WATCHDOG=1")

                watchdog.cancel()
                await watchdog.value
            }
            try await group.shutdownGracefully()
            try await socket.shutdown()
        }
    }
}
