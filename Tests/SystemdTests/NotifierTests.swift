// SPDX-License-Identifier: Apache-2.0
import ChatTesting
import Foundation
import Testing

@testable import Systemd

extension ProcessEnvironmentTests {
    @Suite struct NotifierTests {
        @Test func absentWithoutNotifySocket() async {
            await withEnvironment(["NOTIFY_SOCKET": nil]) {
                #expect(SystemdNotifier() == nil)
            }
        }

        @Test func sendsEachStateAsOneDatagram() async throws {
            let socket = try NotifySocket()
            try await withEnvironment(["NOTIFY_SOCKET": socket.path]) {
                let notifier = try #require(SystemdNotifier())
                notifier.ready()
                #expect(try await socket.receive() == "READY=1")
                notifier.status("serving 3 rooms\nand more")
                #expect(try await socket.receive() == "STATUS=serving 3 rooms and more")
                notifier.stopping()
                #expect(try await socket.receive() == "STOPPING=1")
                notifier.watchdog()
                #expect(try await socket.receive() == "WATCHDOG=1")
                notifier.post("EXTEND_TIMEOUT_USEC=5000000")
                #expect(try await socket.receive() == "EXTEND_TIMEOUT_USEC=5000000")

                let before = SystemdNotifier.monotonicMicroseconds()
                notifier.reloading()
                let reload = try #require(try await socket.receive())
                let after = SystemdNotifier.monotonicMicroseconds()
                let lines = reload.split(separator: "\n")
                #expect(lines.count == 2 && lines[0] == "RELOADING=1")
                let stamp = try #require(lines.last.flatMap { UInt64($0.dropFirst("MONOTONIC_USEC=".count)) })
                #expect(lines.last?.hasPrefix("MONOTONIC_USEC=") == true)
                #expect(before <= stamp && stamp <= after)
            }
            try await socket.shutdown()
        }

        /// The manager's queue full (nobody reading): posting returns at once, and what
        /// was posted arrives, in order, once it is read.
        @Test(.timeLimit(.minutes(1))) func aFullQueueDoesNotBlockTheCaller() async throws {
            let socket = try NotifySocket()
            try await withEnvironment(["NOTIFY_SOCKET": socket.path]) {
                let notifier = try #require(SystemdNotifier())
                // net.unix.max_dgram_qlen is 10 by default; systemd raises it to 512 for
                // its own socket. 600 is more than either queue holds.
                for i in 0..<600 { notifier.status("\(i)") }
                for i in 0..<600 {
                    #expect(try await socket.receive() == "STATUS=\(i)")
                }
            }
            try await socket.shutdown()
        }

        /// A stopping chatd drains its last states before it exits, and a manager that
        /// reads nothing cannot hold it there.
        @Test(.timeLimit(.minutes(1))) func drainSendsWhatWasPostedAndIsBounded() async throws {
            let socket = try NotifySocket()
            try await withEnvironment(["NOTIFY_SOCKET": socket.path]) {
                let notifier = try #require(SystemdNotifier())
                notifier.stopping()
                await SystemdNotifier.drain(limit: .seconds(30))
                #expect(try await socket.receive(timeout: .zero) == "STOPPING=1")  // already there

                for i in 0..<600 { notifier.status("\(i)") }  // more than the queue holds
                await SystemdNotifier.drain(limit: .milliseconds(100))  // returns though nothing reads
                for i in 0..<600 {
                    #expect(try await socket.receive() == "STATUS=\(i)")
                }
            }
            try await socket.shutdown()
        }

        @Test func aVanishedSocketIsNotFatal() async throws {
            let socket = try NotifySocket()
            try await socket.shutdown()  // closes and deletes it
            await withEnvironment(["NOTIFY_SOCKET": socket.path]) {
                #expect(SystemdNotifier() != nil)
                #expect(SystemdNotifier.send("READY=1") == false)
                #expect(SystemdNotifier.send("WATCHDOG=1") == false)
            }
        }
    }
}
