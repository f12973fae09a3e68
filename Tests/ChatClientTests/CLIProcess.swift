// SPDX-License-Identifier: Apache-2.0
import ChatTesting
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// The built `chat` binary as a child process (via `SpawnedProcess`): stdin from a
/// string (or /dev/null), stdout and stderr collected separately, stdout also as a
/// stream for commands that keep running (`listen`).
final class CLIProcess: Sendable {
    struct Result: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    let pid: Int32
    /// Stdout chunks as they arrive; ends at EOF.
    let stdoutChunks: AsyncStream<String>
    private let exited: EventLoopFuture<Int32>
    private let stdoutDone: EventLoopFuture<String>
    private let stderrDone: EventLoopFuture<String>

    private init(
        pid: Int32,
        stdoutChunks: AsyncStream<String>,
        exited: EventLoopFuture<Int32>,
        stdoutDone: EventLoopFuture<String>,
        stderrDone: EventLoopFuture<String>
    ) {
        (self.pid, self.stdoutChunks, self.exited, self.stdoutDone, self.stderrDone) = (
            pid, stdoutChunks, exited, stdoutDone, stderrDone
        )
    }

    static func launch(
        _ path: String,
        _ arguments: [String],
        environment: [String: String],
        stdin: String? = nil
    ) throws -> CLIProcess {
        let (chunks, continuation) = AsyncStream.makeStream(of: String.self)
        let stdout = NIOLockedValueBox("")
        let stderr = NIOLockedValueBox("")
        let process = try SpawnedProcess.launch(
            path,
            arguments: arguments,
            environment: environment,
            stdin: stdin,
            onOutput: { text in
                stdout.withLockedValue { $0 += text }
                continuation.yield(text)
            },
            onError: { text in stderr.withLockedValue { $0 += text } }
        )
        process.outputClosed.whenComplete { _ in continuation.finish() }
        let stdoutDone = process.outputClosed.map { stdout.withLockedValue { $0 } }
        let stderrDone = process.outputClosed.map { stderr.withLockedValue { $0 } }
        return CLIProcess(
            pid: process.pid,
            stdoutChunks: chunks,
            exited: process.exited,
            stdoutDone: stdoutDone,
            stderrDone: stderrDone
        )
    }

    /// Waits for the exit and the end of both outputs. A hung child is killed after
    /// `limit`: a guard against a broken test, not a synchronisation.
    func wait(limit: TimeAmount = .seconds(60)) async throws -> Result {
        let pid = self.pid
        let guardTask = self.exited.eventLoop.scheduleTask(in: limit) { kill(pid, SIGKILL) }
        defer { guardTask.cancel() }
        let status = try await self.exited.get()
        return Result(status: status, stdout: try await self.stdoutDone.get(), stderr: try await self.stderrDone.get())
    }

    func signal(_ signo: Int32) { kill(self.pid, signo) }
}
