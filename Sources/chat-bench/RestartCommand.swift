// SPDX-License-Identifier: Apache-2.0
import CleanSpawn
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The restart scenario's command, run with /bin/sh -c. Its output goes to stderr,
/// with the progress lines: stdout is the report's. Spawned by hand, not with
/// Foundation's Process (whose termination handler never ran here once the command
/// left a server running in the background), with a clean signal mask and no
/// descriptor of the bench's but 0-2: a server it starts must not inherit either.
enum RestartCommand {
    struct Outcome: Sendable {
        /// The exit status, or 128 + the signal that ended the shell.
        var status: Int32
        var seconds: Double
    }

    static func run(_ command: String) async throws -> Outcome {
        let start = Clock.nanoseconds()
        let pid = try spawn(["/bin/sh", "-c", command])
        // waitpid blocks: a thread of its own, not the concurrency pool's.
        let status: Int32 = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var raw: Int32 = 0
                while waitpid(pid, &raw, 0) < 0, errno == EINTR {}
                let signal = raw & 0x7f
                continuation.resume(returning: signal == 0 ? (raw >> 8) & 0xff : 128 + signal)
            }
        }
        return Outcome(status: status, seconds: Clock.seconds(since: start))
    }

    private static func spawn(_ argv: [String]) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, 2, 1)
        _ = addCloseFrom(&actions, 3)
        let (pid, result) = spawnWithCleanSignals(
            argv[0],
            arguments: Array(argv.dropFirst()),
            environment: ProcessInfo.processInfo.environment,
            actions: &actions
        )
        guard result == 0 else {
            throw BenchError.failed("cannot run \(argv.joined(separator: " ")): \(String(cString: strerror(result)))")
        }
        return pid
    }
}
