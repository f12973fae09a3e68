import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// The built `chat` binary as a child process: stdin from a string (or /dev/null),
/// stdout and stderr collected separately, stdout also as a stream for commands
/// that keep running (`listen`).
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

    private init(pid: Int32, stdoutChunks: AsyncStream<String>, exited: EventLoopFuture<Int32>,
                 stdoutDone: EventLoopFuture<String>, stderrDone: EventLoopFuture<String>) {
        (self.pid, self.stdoutChunks, self.exited, self.stdoutDone, self.stderrDone) = (pid, stdoutChunks, exited, stdoutDone, stderrDone)
    }

    static func launch(_ path: String, _ arguments: [String], environment: [String: String], stdin: String? = nil) throws -> CLIProcess {
        let (inR, inW) = try makePipe()
        let (outR, outW) = try makePipe()
        let (errR, errW) = try makePipe()

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if stdin == nil {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        } else {
            posix_spawn_file_actions_adddup2(&actions, inR, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, outW, 1)
        posix_spawn_file_actions_adddup2(&actions, errW, 2)
        for fd in [inR, inW, outR, outW, errR, errW] { posix_spawn_file_actions_addclose(&actions, fd) }

        // Clean signal mask and default actions, whatever the test runner's thread has.
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
        for fd in [inR, outW, errW] { close(fd) }
        guard result == 0 else {
            for fd in [inW, outR, errR] { close(fd) }
            throw CLIProcessError.spawn(path, result)
        }
        if let stdin {
            var bytes = Array(stdin.utf8)
            var offset = 0
            while offset < bytes.count {
                let n = bytes.withUnsafeMutableBytes { write(inW, $0.baseAddress! + offset, $0.count - offset) }
                guard n > 0 else { break }
                offset += n
            }
        }
        close(inW)  // EOF for the child

        let loop = MultiThreadedEventLoopGroup.singleton.any()
        let (chunks, continuation) = AsyncStream.makeStream(of: String.self)
        let stdoutDone = drain(outR, on: loop) { continuation.yield($0) } finished: { continuation.finish() }
        let stderrDone = drain(errR, on: loop) { _ in } finished: {}
        let exited = loop.makePromise(of: Int32.self)
        let child = pid
        Thread.detachNewThread {
            var status: Int32 = 0
            while waitpid(child, &status, 0) == -1 && errno == EINTR {}
            let signal = status & 0x7F
            exited.succeed(signal == 0 ? (status >> 8) & 0xFF : 128 + signal)
        }
        return CLIProcess(pid: pid, stdoutChunks: chunks, exited: exited.futureResult, stdoutDone: stdoutDone, stderrDone: stderrDone)
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

    private static func makePipe() throws -> (Int32, Int32) {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw CLIProcessError.spawn("pipe", errno) }
        return (fds[0], fds[1])
    }

    /// Reads `fd` to EOF on a thread of its own; the future has everything read.
    private static func drain(_ fd: Int32, on loop: any EventLoop, chunk: @escaping @Sendable (String) -> Void,
                              finished: @escaping @Sendable () -> Void) -> EventLoopFuture<String> {
        let promise = loop.makePromise(of: String.self)
        Thread.detachNewThread {
            var all: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 8192)
            while true {
                let n = read(fd, &buffer, buffer.count)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { break }
                all += buffer[0..<n]
                chunk(String(decoding: buffer[0..<n], as: UTF8.self))
            }
            close(fd)
            finished()
            promise.succeed(String(decoding: all, as: UTF8.self))
        }
        return promise.futureResult
    }
}

enum CLIProcessError: Error {
    case spawn(String, Int32)
}
