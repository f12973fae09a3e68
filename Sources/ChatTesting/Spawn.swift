import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Starts a child with a clean signal mask and default signal actions.
///
/// Foundation's `Process` passes on the mask of whichever thread spawns, and in a
/// test process that thread usually has almost every signal blocked: a child
/// started that way ignores SIGTERM, which would hide exactly the shutdown
/// behaviour the tests check. Output (stdout and stderr together) is handed to
/// `onOutput` as it arrives; `exited` completes with the wait status's exit code
/// (or 128 + signal number).
public struct SpawnedProcess: Sendable {
    public let pid: Int32
    public let exited: EventLoopFuture<Int32>
    /// Completes when the child's output pipe is closed (all output was handed over).
    public let outputClosed: EventLoopFuture<Void>

    public static func launch(
        _ path: String, arguments: [String], environment: [String: String],
        onOutput: @escaping @Sendable (String) -> Void
    ) throws -> SpawnedProcess {
        var pipeFDs: [Int32] = [0, 0]
        guard pipe(&pipeFDs) == 0 else { throw SpawnError.failed("pipe", errno) }
        let (readEnd, writeEnd) = (pipeFDs[0], pipeFDs[1])

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, writeEnd, 1)
        posix_spawn_file_actions_adddup2(&actions, writeEnd, 2)
        posix_spawn_file_actions_addclose(&actions, readEnd)
        posix_spawn_file_actions_addclose(&actions, writeEnd)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        close(writeEnd)
        guard result == 0 else {
            close(readEnd)
            throw SpawnError.failed("posix_spawn \(path)", result)
        }

        // Blocking reads and waits on their own threads: test support, not the server.
        let closed = MultiThreadedEventLoopGroup.singleton.any().makePromise(of: Void.self)
        Thread.detachNewThread {
            var buffer = [UInt8](repeating: 0, count: 8192)
            while true {
                let count = read(readEnd, &buffer, buffer.count)
                if count <= 0 { break }
                onOutput(String(decoding: buffer[0..<count], as: UTF8.self))
            }
            close(readEnd)
            closed.succeed(())
        }
        let promise = MultiThreadedEventLoopGroup.singleton.any().makePromise(of: Int32.self)
        let child = pid
        Thread.detachNewThread {
            var status: Int32 = 0
            while waitpid(child, &status, 0) == -1 && errno == EINTR {}
            let signal = status & 0x7F
            promise.succeed(signal == 0 ? (status >> 8) & 0xFF : 128 + signal)
        }
        return SpawnedProcess(pid: pid, exited: promise.futureResult, outputClosed: closed.futureResult)
    }
}

public enum SpawnError: Error, Sendable {
    case failed(String, Int32)
}

/// Runs a command to completion; returns its exit status and everything it printed.
public func runToCompletion(_ path: String, _ arguments: [String],
                            environment: [String: String] = ProcessInfo.processInfo.environment) async throws -> (status: Int32, output: String) {
    let output = NIOLockedValueBox("")
    let process = try SpawnedProcess.launch(path, arguments: arguments, environment: environment) { text in
        output.withLockedValue { $0 += text }
    }
    let status = try await process.exited.get()
    try await process.outputClosed.get()
    return (status, output.withLockedValue { $0 })
}
