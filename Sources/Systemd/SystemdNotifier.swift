// SPDX-License-Identifier: Apache-2.0
import CSystemd
import Dispatch
import NIOConcurrencyHelpers
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Sends service state to systemd over `$NOTIFY_SOCKET` (`Type=notify`/`notify-reload`).
///
/// `sd_notify` blocks while the manager's socket queue is full (a busy PID 1; a test
/// that reads its socket late). So the named states are posted to one thread of their
/// own, in order, and the caller never waits: a blocked send must not hold an event
/// loop or one of the few threads Swift concurrency runs every task on.
///
/// Sending never fails loudly: if the manager's socket is gone, the datagram is lost —
/// a daemon must not die because its supervisor did.
public struct SystemdNotifier: Sendable {
    /// nil when `NOTIFY_SOCKET` is unset, i.e. not running under a notify-type unit.
    public init?() {
        guard SystemdEnvironment.value(SystemdEnvironment.notifySocket) != nil else { return nil }
    }

    /// `READY=1`: startup finished, sockets are accepting.
    public func ready() { self.post("READY=1") }

    /// `STATUS=…`: one line shown by `systemctl status`.
    public func status(_ text: String) {
        // A newline would start a new assignment; keep the status on one line.
        self.post("STATUS=" + text.split(whereSeparator: \.isNewline).joined(separator: " "))
    }

    /// `STOPPING=1`: shutdown has begun.
    public func stopping() { self.post("STOPPING=1") }

    /// `RELOADING=1` with the `MONOTONIC_USEC` timestamp `Type=notify-reload` requires,
    /// in one datagram (stamped now, not when sent); follow with ``ready()`` when the
    /// reload is done.
    public func reloading() {
        self.post("RELOADING=1\nMONOTONIC_USEC=\(Self.monotonicMicroseconds())")
    }

    /// `WATCHDOG=1`: keep-alive ping.
    public func watchdog() { self.post("WATCHDOG=1") }

    /// Newline-separated `KEY=value` assignments, sent on the notifier's thread after
    /// everything posted before.
    public func post(_ raw: String) {
        Self.sender.submit { _ in _ = Self.send(raw) }
    }

    /// Returns once everything posted so far has been sent, or after `limit` (a manager
    /// that reads nothing must not keep a stopping process alive): call before exiting,
    /// so that the last states (STOPPING=1) are not lost with the process.
    public static func drain(limit: Duration = .seconds(2)) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let waiting = NIOLockedValueBox<CheckedContinuation<Void, Never>?>(continuation)
            let resume: @Sendable () -> Void = {
                waiting.withLockedValue { waiting in
                    defer { waiting = nil }
                    return waiting
                }?.resume()
            }
            Self.sender.submit { _ in resume() }
            let (seconds, attoseconds) = limit.components
            let nanoseconds = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
            DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(nanoseconds)) { resume() }
        }
    }

    /// Sends now, on the caller's thread, which it may block; false when nothing took it.
    @discardableResult public static func send(_ raw: String) -> Bool {
        // unset_environment = 0: every later call needs NOTIFY_SOCKET again.
        sd_notify(0, raw) > 0
    }

    /// One thread, so datagrams leave in the order they were posted.
    private static let sender: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        return pool
    }()

    static func monotonicMicroseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
    }
}
