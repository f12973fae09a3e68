// SPDX-License-Identifier: Apache-2.0
import ChatTesting
import Foundation
import TestTier
import Testing

@testable import Systemd

/// End-to-end socket activation with the real `systemd-socket-activate`: it binds a TCP
/// and a Unix socket and, on the first connection, execs this test binary again running
/// only ``ActivatedChild``, which reports what ``ListenFDs/take()`` saw into a file.
/// (Done in a child because activation always uses fds 3, 4, … which the test
/// process already uses for other things.)
extension ProcessEnvironmentTests {
    @Suite(.integration) struct SocketActivationTests {
        static let reportVariable = "CHATD_SYSTEMD_ACTIVATION_REPORT"

        @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-socket-activate")))
        func takesNamedSocketsPassedBySystemdSocketActivate() async throws {
            let dir = try TestSockets.temporaryDirectory()
            defer { TestSockets.removeDirectory(dir) }
            let control = dir + "/control"
            let report = dir + "/report"
            let testBinary = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")

            // systemd-socket-activate rejects port 0: borrow a free port from the kernel.
            let probe = try TestSockets.tcpListener(backlog: nil)
            let port = TestSockets.localPort(probe)
            close(probe)

            let (activate, log) = try await TestProcess.launch(
                "/usr/bin/systemd-socket-activate",
                arguments: [
                    "-l", "127.0.0.1:\(port)", "-l", control, "--fdname=chat:control",
                    "-E", "\(Self.reportVariable)=\(report)",
                    "--", testBinary, "--testing-library", "swift-testing", "--filter", "ActivatedChild",
                ],
                environment: ProcessInfo.processInfo.environment,
                // The event that says the Unix socket is listening.
                readyLine: "Listening on \(control)",
                timeout: .seconds(30)
            )

            // The first connection makes it exec the child.
            let client = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(client) }
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                for (i, byte) in control.utf8.enumerated() { raw[i] = byte }
            }
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(client, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
            #expect(connected == 0)

            let status = try await activate.exited.get()
            #expect(status == 0, "\(log.withLockedValue { $0 })")
            let lines = try String(contentsOfFile: report, encoding: .utf8).split(separator: "\n").map(String.init)
            #expect(
                lines == [
                    "3 chat \(ListenFD.Kind.tcpListener) \(systemSomaxconn())",
                    "4 control \(ListenFD.Kind.unixListener) \(systemSomaxconn())",
                    "expect ok",
                    "environment cleared",
                ]
            )
        }
    }
}

/// Runs only as the activated child (see above); skipped in a normal test run.
@Suite struct ActivatedChild {
    @Test(
        .enabled(
            if: ProcessInfo.processInfo.environment[ProcessEnvironmentTests.SocketActivationTests.reportVariable] != nil
        )
    )
    func reportListenFDs() throws {
        let path = try #require(
            ProcessInfo.processInfo.environment[ProcessEnvironmentTests.SocketActivationTests.reportVariable]
        )
        let fds = try ListenFDs.take()
        var lines = fds.map { "\($0.fd) \($0.name) \($0.kind) \(adoptionBacklog(fd: $0.fd))" }
        do {
            _ = try fds.expect(
                names: ["chat": .tcpListener, "control": .unixListener],
                optional: ["chat-tls": .tcpListener]
            )
            lines.append("expect ok")
        } catch {
            lines.append("expect failed: \(error)")
        }
        let listenVariables: [String] = ["LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES"]
        let cleared = listenVariables.allSatisfy { getenv($0) == nil }
        lines.append(cleared ? "environment cleared" : "environment kept")
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }
}
