// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Where log lines go.
public enum LogDestination: Sendable, Equatable {
    /// ``detect()`` at bootstrap.
    case auto
    case journal
    case stderr

    /// `.journal` when stderr is the stream systemd connected to the journal (its
    /// `dev:ino` equals `$JOURNAL_STREAM`); `.stderr` otherwise, including when stderr
    /// was redirected by a child or a shell although the variable was inherited.
    public static func detect() -> LogDestination {
        detect(journalStream: SystemdEnvironment.value(SystemdEnvironment.journalStream))
    }

    /// ``detect()`` with the variable's value given and any descriptor in place of stderr.
    public static func detect(journalStream: String?, fd: CInt = STDERR_FILENO) -> LogDestination {
        guard let journalStream else { return .stderr }
        let parts = journalStream.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return .stderr }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return .stderr }
        return UInt64(st.st_dev) == device && UInt64(st.st_ino) == inode ? .journal : .stderr
    }
}
