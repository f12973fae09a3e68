// SPDX-License-Identifier: Apache-2.0
import CleanSpawn
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Starts a child with a clean signal mask and default signal actions.
///
/// Foundation's `Process` passes on the mask of whichever thread spawns, and in a
/// test process that thread usually has almost every signal blocked: a child
/// started that way ignores SIGTERM, which would hide exactly the shutdown
/// behaviour the tests check. `stdin` (if given) is written and then closed; output
/// goes to `onOutput` as it arrives — stderr too, unless `onError` takes it apart.
/// `exited` completes with the exit code (or 128 + signal number).
public struct SpawnedProcess: Sendable {
    public let pid: Int32
    public let exited: EventLoopFuture<Int32>
    /// Completes when every output pipe is closed (all output was handed over).
    public let outputClosed: EventLoopFuture<Void>

    /// `descriptors` are passed as fds 3, 4, … (as systemd passes sockets).
    public static func launch(
        _ path: String,
        arguments: [String],
        environment: [String: String],
        stdin: String? = nil,
        descriptors: [Int32] = [],
        onOutput: @escaping @Sendable (String) -> Void,
        onError: (@Sendable (String) -> Void)? = nil
    ) throws -> SpawnedProcess {
        // The in-process tier's promise (see TestTier): a test that breaks it fails here.
        guard ProcessInfo.processInfo.environment["CHATD_TEST_TIER"] != "unit" else {
            throw SpawnError.notInUnitTier(path)
        }
        // A source among 0–2 would be overwritten by the pipes below: it goes along as a copy.
        let low = descriptors.filter { $0 < 3 }.map { ($0, fcntl($0, F_DUPFD_CLOEXEC, 3)) }
        defer { for (_, copy) in low { close(copy) } }
        if let failed = low.first(where: { $0.1 < 0 }) {
            throw SpawnError.failed("copy of descriptor \(failed.0)", errno)
        }
        let sources = descriptors.map { fd in low.first { $0.0 == fd }?.1 ?? fd }
        let (inRead, inWrite) = try makePipe()
        let (outRead, outWrite) = try makePipe()
        let (errRead, errWrite) = onError == nil ? (outRead, outWrite) : try makePipe()

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if stdin == nil {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        } else {
            posix_spawn_file_actions_adddup2(&actions, inRead, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, outWrite, 1)
        posix_spawn_file_actions_adddup2(&actions, errWrite, 2)
        for fd in Set([inRead, inWrite, outRead, outWrite, errRead, errWrite]) {
            posix_spawn_file_actions_addclose(&actions, fd)
        }
        for step in DescriptorPlacement.steps(sources, first: 3) {
            posix_spawn_file_actions_adddup2(&actions, step.from, step.to)
        }
        // Nothing else of ours goes along: the test's sockets (NIO opens them without
        // CLOEXEC) would otherwise live on in a restarted redis-server or chatd and keep
        // connections open that the test closed.
        _ = addCloseFrom(&actions, 3 + Int32(descriptors.count))

        let (pid, result) = spawnWithCleanSignals(
            path,
            arguments: arguments,
            environment: environment,
            actions: &actions
        )
        for fd in Set([inRead, outWrite, errWrite]) { close(fd) }
        guard result == 0 else {
            for fd in Set([inWrite, outRead, errRead]) { close(fd) }
            throw SpawnError.failed("posix_spawn \(path)", result)
        }
        if let stdin {
            var bytes = Array(stdin.utf8)
            var offset = 0
            while offset < bytes.count {
                let written = bytes.withUnsafeMutableBytes {
                    write(inWrite, $0.baseAddress! + offset, $0.count - offset)
                }
                guard written > 0 else { break }
                offset += written
            }
        }
        close(inWrite)  // EOF for the child

        let loop = MultiThreadedEventLoopGroup.singleton.any()
        var drained = [drain(outRead, on: loop, onOutput)]
        if let onError { drained.append(drain(errRead, on: loop, onError)) }
        let exited = loop.makePromise(of: Int32.self)
        let child = pid
        // Blocking waits on a thread of their own: test support, not the server.
        Thread.detachNewThread {
            var status: Int32 = 0
            while waitpid(child, &status, 0) == -1 && errno == EINTR {}
            let signal = status & 0x7F
            exited.succeed(signal == 0 ? (status >> 8) & 0xFF : 128 + signal)
        }
        return SpawnedProcess(
            pid: pid,
            exited: exited.futureResult,
            outputClosed: EventLoopFuture.andAllSucceed(drained, on: loop)
        )
    }

    private static func makePipe() throws -> (Int32, Int32) {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw SpawnError.failed("pipe", errno) }
        return (fds[0], fds[1])
    }

    /// Reads `fd` to EOF on a thread of its own.
    private static func drain(
        _ fd: Int32,
        on loop: any EventLoop,
        _ chunk: @escaping @Sendable (String) -> Void
    ) -> EventLoopFuture<Void> {
        let promise = loop.makePromise(of: Void.self)
        Thread.detachNewThread {
            var buffer = [UInt8](repeating: 0, count: 8192)
            var pending: [UInt8] = []  // a character cut by the read's end waits for its rest
            while true {
                let count = read(fd, &buffer, buffer.count)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { break }
                pending += buffer[0..<count]
                let whole = completeUTF8Prefix(pending)
                if whole > 0 { chunk(String(decoding: pending[0..<whole], as: UTF8.self)) }
                pending.removeFirst(whole)
            }
            if !pending.isEmpty { chunk(String(decoding: pending, as: UTF8.self)) }
            close(fd)
            promise.succeed(())
        }
        return promise.futureResult
    }
}

/// How many leading bytes of `bytes` end on a character boundary.
func completeUTF8Prefix(_ bytes: [UInt8]) -> Int {
    var start = bytes.count
    // Back over continuation bytes (at most 3) to the last character's first byte.
    while start > 0, bytes.count - start < 4, bytes[start - 1] & 0xC0 == 0x80 { start -= 1 }
    guard start > 0 else { return bytes.count }
    let lead = bytes[start - 1]
    let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
    return bytes.count - (start - 1) < length ? start - 1 : bytes.count
}

public enum SpawnError: Error, Sendable {
    case failed(String, Int32)
    /// CHATD_TEST_TIER=unit, where no test starts a process: its suite needs `.integration`.
    case notInUnitTier(String)
}

/// Runs a command to completion; returns its exit status and everything it printed.
public func runToCompletion(
    _ path: String,
    _ arguments: [String],
    environment: [String: String] = ProcessInfo.processInfo.environment
) async throws -> (status: Int32, output: String) {
    let run = try await runToCompletion(path, arguments, environment: environment, stdin: nil, separateErrors: false)
    return (run.status, run.stdout)
}

/// Runs a command to completion with `stdin` written to it; stderr goes to `stderr`
/// when `separateErrors`, else along with stdout.
public func runToCompletion(
    _ path: String,
    _ arguments: [String],
    environment: [String: String],
    stdin: String?,
    separateErrors: Bool
) async throws -> (status: Int32, stdout: String, stderr: String) {
    let stdout = NIOLockedValueBox("")
    let stderr = NIOLockedValueBox("")
    let collectErrors: @Sendable (String) -> Void = { text in stderr.withLockedValue { $0 += text } }
    let onError = separateErrors ? collectErrors : nil
    let process = try SpawnedProcess.launch(
        path,
        arguments: arguments,
        environment: environment,
        stdin: stdin,
        onOutput: { text in stdout.withLockedValue { $0 += text } },
        onError: onError
    )
    let status = try await process.exited.get()
    try await process.outputClosed.get()
    return (status, stdout.withLockedValue { $0 }, stderr.withLockedValue { $0 })
}
