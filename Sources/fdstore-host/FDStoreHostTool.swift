// SPDX-License-Identifier: Apache-2.0
import ChatTesting
import Foundation
import UnixSignals

/// chatd under ChatTesting's `FDStoreHost`, for chat-bench's restart scenario on a
/// machine where systemd is not PID 1 (`scripts/bench --scenario restart --fd-store`):
/// the host keeps what chatd stores, as systemd's file descriptor store does.
///
///     fdstore-host REDIS_URL DIR      chatd's environment: this one's CHATD_* variables
///
/// Writes chatd's port to DIR/port once it is ready. SIGUSR1 restarts chatd (SIGTERM,
/// then a new chatd with what it stored, as `systemctl restart`) and then writes the
/// number of restarts so far to DIR/restarts and what the chatds logged to DIR/chatd.log;
/// SIGTERM or SIGINT stops it. A developer's tool, not installed by the .deb.
@main struct FDStoreHostTool {
    static func main() async throws {
        let arguments = CommandLine.arguments
        guard arguments.count == 3 else {
            FileHandle.standardError.write(Data("usage: fdstore-host REDIS_URL DIR\n".utf8))
            exit(2)
        }
        let directory = URL(fileURLWithPath: arguments[2], isDirectory: true)
        let signals = await UnixSignalsSequence(trapping: .sigusr1, .sigterm, .sigint)
        let environment = ProcessInfo.processInfo.environment.filter { $0.key.hasPrefix("CHATD_") }
        let host = try await FDStoreHost.start(redisURL: arguments[1], environment: environment, capacity: 60_000)
        try "\(host.port)\n".write(to: directory.appendingPathComponent("port"), atomically: true, encoding: .utf8)
        var restarts = 0
        for await signal in signals {
            guard signal == .sigusr1 else { break }
            do {
                try await host.restart()
                restarts += 1
                // The count first: the restart command returns on it, and the log (megabytes
                // at 10,000 sessions) is not part of the restart.
                try "\(restarts)\n".write(
                    to: directory.appendingPathComponent("restarts"),
                    atomically: true,
                    encoding: .utf8
                )
                // What the chatds said so far (their handover lines time the restart).
                try host.output.write(
                    to: directory.appendingPathComponent("chatd.log"),
                    atomically: true,
                    encoding: .utf8
                )
            } catch {
                FileHandle.standardError.write(
                    Data("fdstore-host: restart failed: \(error)\n\(host.output.suffix(2000))\n".utf8)
                )
                break
            }
        }
        try await host.stop()
    }
}
