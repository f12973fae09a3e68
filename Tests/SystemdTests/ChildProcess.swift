// SPDX-License-Identifier: Apache-2.0
import ChatTesting
import Foundation

/// Runs this test binary again with only the tests matching `filter`, for what must happen
/// in a fresh process (swift-log bootstraps once per process; stderr must be a pipe
/// the test can identify). Returns the exit status and everything written to stderr.
///
/// `wrapper` runs first and must exec `"$@"`-style its trailing arguments (e.g. `unshare`).
func runTestChild(
    filter: String,
    environment extra: [String: String],
    journalStreamIsStderr: Bool = false,
    wrapper: [String] = []
) async throws -> (status: Int32, stderr: String) {
    let testBinary = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
    var command = [testBinary, "--testing-library", "swift-testing", "--filter", filter]
    if journalStreamIsStderr {
        // What systemd would set: the dev:ino of fd 2, here the spawner's stderr pipe.
        command = ["/bin/sh", "-c", #"JOURNAL_STREAM=$(stat -L -c %d:%i /proc/self/fd/2) exec "$@""#, "sh"] + command
    }
    command = wrapper + command
    var environment = ProcessInfo.processInfo.environment.merging(extra) { $1 }
    environment["JOURNAL_STREAM"] = nil
    let run = try await runToCompletion(
        command[0],
        Array(command.dropFirst()),
        environment: environment,
        stdin: nil,
        separateErrors: true
    )
    return (run.status, run.stderr)
}
