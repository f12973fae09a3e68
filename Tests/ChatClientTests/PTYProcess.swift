// SPDX-License-Identifier: Apache-2.0
import ChatTesting
import CleanSpawn
import Foundation
import NIOConcurrencyHelpers

/// A child on a pseudo-terminal of a given size: `chat` then sees a terminal on
/// stdin and stdout (raw mode, the width, bracketed paste) as a person's would.
/// Everything it writes is kept; `waitFor` reads until a condition holds.
final class PTYProcess: Sendable {
    let pid: Int32
    private let master: Int32
    private let output = NIOLockedValueBox("")
    private let chunks: AsyncStream<Void>
    private let exitStatus = NIOLockedValueBox<Int32?>(nil)

    init(_ path: String, _ arguments: [String], environment: [String: String], columns: Int, rows: Int = 24) throws {
        var master: Int32 = 0
        var slave: Int32 = 0
        var size = winsize(ws_row: UInt16(rows), ws_col: UInt16(columns), ws_xpixel: 0, ws_ypixel: 0)
        guard openpty(&master, &slave, nil, nil, &size) == 0 else { throw PTYError.failed("openpty", errno) }
        _ = fcntl(master, F_SETFD, FD_CLOEXEC)

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd in Int32(0)...2 { posix_spawn_file_actions_adddup2(&actions, slave, fd) }
        posix_spawn_file_actions_addclose(&actions, slave)
        let (pid, result) = spawnWithCleanSignals(
            path,
            arguments: arguments,
            environment: environment,
            actions: &actions
        )
        close(slave)  // the child's copies are the only ones: EOF (EIO) on the master once it exits
        guard result == 0 else {
            close(master)
            throw PTYError.failed("posix_spawn \(path)", result)
        }
        self.pid = pid
        self.master = master
        let (chunks, continuation) = AsyncStream.makeStream(of: Void.self)
        self.chunks = chunks
        let output = self.output
        let fd = master
        Thread.detachNewThread {
            var buffer = [UInt8](repeating: 0, count: 4096)
            var pending: [UInt8] = []
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { break }
                pending += buffer[0..<n]
                // Hand over whole UTF-8 sequences only.
                var cut = pending.count
                if let lead = pending.indices.suffix(3).last(where: { pending[$0] >= 0xC0 }) {
                    let length = pending[lead] >= 0xF0 ? 4 : pending[lead] >= 0xE0 ? 3 : 2
                    if pending.count - lead < length { cut = lead }
                }
                let text = String(decoding: pending[0..<cut], as: UTF8.self)
                pending.removeFirst(cut)
                output.withLockedValue { $0 += text }
                continuation.yield()
            }
            close(fd)
            continuation.finish()
        }
    }

    var text: String { self.output.withLockedValue { $0 } }

    /// Types `text` (bytes as a terminal would send them).
    func type(_ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { write(self.master, $0.baseAddress! + offset, $0.count - offset) }
            guard n > 0 else { return }
            offset += n
        }
    }

    /// Reads output until `done` holds for all of it, or the output ends; returns whether it held.
    func waitFor(_ done: (String) -> Bool) async -> Bool {
        if done(self.text) { return true }
        for await _ in self.chunks {
            if done(self.text) { return true }
        }
        return done(self.text)
    }

    /// Waits for the exit; a child still running after `limit` seconds is killed
    /// (a guard against a broken test, not a synchronisation).
    func wait(limit: Int = 60) async -> Int32 {
        let pid = self.pid
        let status: Int32 = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                let guardTimer = DispatchSource.makeTimerSource()
                guardTimer.schedule(deadline: .now() + .seconds(limit))
                guardTimer.setEventHandler { kill(pid, SIGKILL) }
                guardTimer.resume()
                var raw: Int32 = 0
                while waitpid(pid, &raw, 0) < 0 && errno == EINTR {}
                guardTimer.cancel()
                let code = raw & 0x7F == 0 ? (raw >> 8) & 0xFF : 128 + (raw & 0x7F)
                continuation.resume(returning: code)
            }
        }
        return status
    }
}

enum PTYError: Error {
    case failed(String, Int32)
}

/// glibc's `openpty` (in libc since 2.34), which the Glibc module does not import.
@_silgen_name("openpty")
private func openpty(
    _ master: UnsafeMutablePointer<Int32>,
    _ slave: UnsafeMutablePointer<Int32>,
    _ name: UnsafeMutablePointer<CChar>?,
    _ termp: UnsafePointer<termios>?,
    _ winp: UnsafePointer<winsize>?
) -> Int32
