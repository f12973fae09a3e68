// SPDX-License-Identifier: Apache-2.0
import CSystemd
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// systemd's software watchdog (`WatchdogSec=`), fed only while every event loop turns.
public enum Watchdog {
    /// `WATCHDOG_USEC` if the watchdog is enabled for this process; nil if unset, or if
    /// `WATCHDOG_PID` names another process.
    public static func interval() -> Duration? {
        var usec: UInt64 = 0
        guard sd_watchdog_enabled(0, &usec) > 0, usec > 0 else { return nil }
        return .microseconds(Int64(clamping: usec))
    }

    /// Every `interval / 2`, sends `WATCHDOG=1` if every loop ran the no-op it was sent
    /// during the previous half-interval. A loop stuck in a blocking call therefore
    /// stops the pings and systemd restarts the service (the point of the watchdog);
    /// a merely busy loop that still answers within interval/2 keeps it alive.
    ///
    /// Returns when the task is cancelled, or at once if the watchdog is not enabled.
    /// Cancel it before shutting the loops down (it keeps submitting to them until then).
    /// Stall and recovery are logged once each at warning/notice; every missed ping at debug.
    public static func run(
        loops: [any EventLoop],
        notifier: SystemdNotifier,
        interval: Duration? = Watchdog.interval(),
        logger: Logger = Logger(label: "chatd.watchdog")
    ) async {
        guard let interval, !loops.isEmpty else { return }
        let period = interval / 2
        var stalled = false
        while !Task.isCancelled {
            // Each answer is a real round trip: the closure runs on the loop itself.
            let answered = NIOLockedValueBox(0)
            for loop in loops {
                loop.execute { answered.withLockedValue { $0 += 1 } }
            }
            do {
                try await Task.sleep(for: period)
            } catch {
                return  // cancelled
            }
            let count = answered.withLockedValue { $0 }
            if count == loops.count {
                if stalled {
                    stalled = false
                    logger.notice("event loops answer again; resuming watchdog pings")
                }
                notifier.watchdog()
            } else {
                let metadata: Logger.Metadata = [
                    "answered": "\(count)", "loops": "\(loops.count)", "waited": "\(period)",
                ]
                logger.debug("event loop did not answer in time; no watchdog ping", metadata: metadata)
                if !stalled {
                    stalled = true
                    logger.warning("event loop stalled; withholding watchdog pings", metadata: metadata)
                }
            }
        }
    }
}
