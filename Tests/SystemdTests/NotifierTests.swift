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
                #expect(notifier.ready())
                #expect(try await socket.receive() == "READY=1")
                notifier.status("serving 3 rooms\nand more")
                #expect(try await socket.receive() == "STATUS=serving 3 rooms and more")
                notifier.stopping()
                #expect(try await socket.receive() == "STOPPING=1")
                notifier.watchdog()
                #expect(try await socket.receive() == "WATCHDOG=1")
                notifier.send("EXTEND_TIMEOUT_USEC=5000000")
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

        @Test func aVanishedSocketIsNotFatal() async throws {
            let socket = try NotifySocket()
            try await socket.shutdown()  // closes and deletes it
            await withEnvironment(["NOTIFY_SOCKET": socket.path]) {
                let notifier = SystemdNotifier()
                #expect(notifier?.ready() == false)
                #expect(notifier?.watchdog() == false)
            }
        }
    }
}
