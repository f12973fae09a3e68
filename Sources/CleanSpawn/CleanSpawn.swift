// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#endif

// Child processes for the test support and chat-bench: a test process, and the bench's
// thread that runs a restart command, usually have almost every signal blocked, and a
// child started with that mask ignores SIGTERM.

/// posix_spawn with an empty signal mask and default signal actions, and the file actions
/// given. Returns the pid and posix_spawn's result.
public func spawnWithCleanSignals(
    _ path: String,
    arguments: [String],
    environment: [String: String],
    actions: inout posix_spawn_file_actions_t
) -> (pid: pid_t, result: Int32) {
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
        for pointer in argv + envp { free(pointer) }
    }
    var pid: pid_t = 0
    let result = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
    return (pid, result)
}

/// glibc 2.34's `posix_spawn_file_actions_addclosefrom_np`, which its headers only
/// declare under _GNU_SOURCE: the caller's descriptors from `from` on stay behind.
@_silgen_name("posix_spawn_file_actions_addclosefrom_np")
public func addCloseFrom(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ from: Int32) -> Int32
