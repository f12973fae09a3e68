// SPDX-License-Identifier: Apache-2.0
import Foundation
import NIOPosix

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
    let child = Process()
    let testBinary = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
    let command = wrapper + [testBinary, "--testing-library", "swift-testing", "--filter", filter]
    child.executableURL = URL(fileURLWithPath: command[0])
    child.arguments = Array(command.dropFirst())
    let stderr = Pipe()
    var environment = ProcessInfo.processInfo.environment.merging(extra) { $1 }
    environment["JOURNAL_STREAM"] = nil
    if journalStreamIsStderr {
        // The child's fd 2 is this pipe, so its dev:ino is what systemd would have set.
        var st = stat()
        fstat(stderr.fileHandleForWriting.fileDescriptor, &st)
        environment["JOURNAL_STREAM"] = "\(st.st_dev):\(st.st_ino)"
    }
    child.environment = environment
    child.standardError = stderr
    child.standardOutput = FileHandle.nullDevice
    let exited = AsyncStream<Int32>.makeStream()
    child.terminationHandler = { exited.continuation.yield($0.terminationStatus) }
    try child.run()
    try stderr.fileHandleForWriting.close()  // so reading ends when the child exits

    let pool = NIOThreadPool(numberOfThreads: 1)
    pool.start()
    let reader = stderr.fileHandleForReading
    let output = try await pool.runIfActive { String(decoding: reader.readDataToEndOfFile(), as: UTF8.self) }
    try await pool.shutdownGracefully()
    var status: Int32 = -1
    for await s in exited.stream {
        status = s
        break
    }
    return (status, output)
}
