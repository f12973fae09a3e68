// SPDX-License-Identifier: Apache-2.0
import CSystemd

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Sends service state to systemd over `$NOTIFY_SOCKET` (`Type=notify`/`notify-reload`).
///
/// Sending never fails loudly: if the manager's socket is gone, the datagram is lost
/// and the call returns false — a daemon must not die because its supervisor did.
public struct SystemdNotifier: Sendable {
    /// nil when `NOTIFY_SOCKET` is unset, i.e. not running under a notify-type unit.
    public init?() {
        guard SystemdEnvironment.value(SystemdEnvironment.notifySocket) != nil else { return nil }
    }

    /// `READY=1`: startup finished, sockets are accepting.
    @discardableResult public func ready() -> Bool { send("READY=1") }

    /// `STATUS=…`: one line shown by `systemctl status`.
    @discardableResult public func status(_ text: String) -> Bool {
        // A newline would start a new assignment; keep the status on one line.
        send("STATUS=" + text.split(whereSeparator: \.isNewline).joined(separator: " "))
    }

    /// `STOPPING=1`: shutdown has begun.
    @discardableResult public func stopping() -> Bool { send("STOPPING=1") }

    /// `RELOADING=1` with the `MONOTONIC_USEC` timestamp `Type=notify-reload` requires,
    /// in one datagram; follow with ``ready()`` when the reload is done.
    @discardableResult public func reloading() -> Bool {
        send("RELOADING=1\nMONOTONIC_USEC=\(Self.monotonicMicroseconds())")
    }

    /// `WATCHDOG=1`: keep-alive ping.
    @discardableResult public func watchdog() -> Bool { send("WATCHDOG=1") }

    /// Any newline-separated `KEY=value` assignments.
    @discardableResult public func send(_ raw: String) -> Bool {
        // unset_environment = 0: every later call needs NOTIFY_SOCKET again.
        sd_notify(0, raw) > 0
    }

    static func monotonicMicroseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
    }
}
