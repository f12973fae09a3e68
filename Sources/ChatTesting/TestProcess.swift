// SPDX-License-Identifier: Apache-2.0
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

public enum TestProcessError: Error, Sendable {
    /// It exited before printing its ready line (for instance, its port was taken).
    case exitedBeforeReady(status: Int32, output: String)
    case notReady(output: String)
}

/// Launches a child process, collects its output and completes when a line
/// containing `readyLine` appears (or fails if the process exits first).
public enum TestProcess {
    public static func launch(
        _ path: String,
        arguments: [String],
        environment: [String: String],
        descriptors: [Int32] = [],
        readyLine: String,
        timeout: TimeAmount
    ) async throws
        -> (process: SpawnedProcess, log: NIOLockedValueBox<String>)
    {
        let loop = MultiThreadedEventLoopGroup.singleton.any()
        let ready = loop.makePromise(of: Void.self)
        let log = NIOLockedValueBox("")
        let process: SpawnedProcess
        do {
            process = try SpawnedProcess.launch(
                path,
                arguments: arguments,
                environment: environment,
                descriptors: descriptors
            ) { text in
                let isReady = log.withLockedValue { log in
                    let before = log.contains(readyLine)
                    log += text
                    return !before && log.contains(readyLine)
                }
                if isReady { ready.succeed(()) }
            }
        } catch {
            ready.fail(error)  // a promise must not be dropped uncompleted
            throw error
        }
        process.exited.whenSuccess { status in
            ready.fail(TestProcessError.exitedBeforeReady(status: status, output: log.withLockedValue { $0 }))
        }
        let deadline = loop.scheduleTask(in: timeout) {
            ready.fail(TestProcessError.notReady(output: log.withLockedValue { $0 }))
        }
        ready.futureResult.whenComplete { _ in deadline.cancel() }
        do {
            try await ready.futureResult.get()
        } catch {
            kill(process.pid, SIGKILL)
            throw error
        }
        return (process, log)
    }
}
