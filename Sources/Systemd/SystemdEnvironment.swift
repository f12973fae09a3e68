// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// # Systemd integration for chatd
///
/// Startup under systemd, in order:
///
///     SystemdLogging.bootstrap(identifier: "chatd", level: .info)   // journal if stderr is the journal
///     let passed = try ListenFDs.take()          // empty: not socket-activated, bind yourself
///     if !passed.isEmpty {
///         let fds = try passed.expect(names: ["chat": .tcpListener, "control": .unixListener])
///         let server = try await ServerBootstrap(group: group)
///             .withBoundSocketPreservingBacklog(fds["chat"]!.fd).get()   // keeps Backlog=
///     }
///     SystemdNotifier()?.ready()
///     // ServiceGroup: WatchdogService(loops:notifier:) first, then the servers.
///
/// Environment variables read by this module (all set by systemd for the service):
///
/// | Variable         | Read by                         | Meaning |
/// |------------------|---------------------------------|---------|
/// | `LISTEN_FDS`     | ``ListenFDs/take()``            | number of sockets passed, starting at fd 3 |
/// | `LISTEN_PID`     | ``ListenFDs/take()``            | the PID the sockets are meant for; others ignore them |
/// | `LISTEN_FDNAMES` | ``ListenFDs/take()``            | colon-separated `FileDescriptorName=` of each socket |
/// | `NOTIFY_SOCKET`  | ``SystemdNotifier``             | AF_UNIX datagram socket for `READY=1`, `WATCHDOG=1`, … |
/// | `WATCHDOG_USEC`  | ``Watchdog/interval()``         | `WatchdogSec=` in µs; ping at least every half of it |
/// | `WATCHDOG_PID`   | ``Watchdog/interval()``         | the PID that must ping; others must not |
/// | `JOURNAL_STREAM` | ``LogDestination/detect()``     | `dev:ino` of the journal stream stderr is connected to |
/// | `FDSTORE`        | ``FileDescriptorStore``         | `FileDescriptorStoreMax=`: how many descriptors systemd keeps |
///
/// `ListenFDs.take()` unsets the three `LISTEN_*` variables so that children do not
/// believe the sockets are theirs. The others are left alone (libsystemd reads them
/// at every call).
public enum SystemdEnvironment {
    public static let listenFDs = "LISTEN_FDS"
    public static let listenPID = "LISTEN_PID"
    public static let listenFDNames = "LISTEN_FDNAMES"
    public static let notifySocket = "NOTIFY_SOCKET"
    public static let watchdogUSec = "WATCHDOG_USEC"
    public static let watchdogPID = "WATCHDOG_PID"
    public static let journalStream = "JOURNAL_STREAM"
    public static let fdStore = "FDSTORE"

    /// The variable's value, or nil if unset.
    static func value(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}
