// SPDX-License-Identifier: Apache-2.0
import Logging
import NIOCore
import ServiceLifecycle

/// ``Watchdog/run(loops:notifier:interval:logger:)`` as a swift-service-lifecycle
/// `Service`. Put it first in the `ServiceGroup` so it is shut down last (services stop
/// in reverse order) and systemd keeps getting pings while the others drain.
public struct WatchdogService: Service {
    let loops: [any EventLoop]
    let notifier: SystemdNotifier
    let interval: Duration?
    let logger: Logger

    public init(
        loops: [any EventLoop],
        notifier: SystemdNotifier,
        interval: Duration? = Watchdog.interval(),
        logger: Logger = Logger(label: "chatd.watchdog")
    ) {
        self.loops = loops
        self.notifier = notifier
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        let (loops, notifier, interval, logger) = (self.loops, self.notifier, self.interval, self.logger)
        guard interval != nil, !loops.isEmpty else {
            // Nothing to feed, but returning now would end the whole group
            // (a ServiceGroup's default for a service that returns is to cancel the group).
            try? await gracefulShutdown()
            return
        }
        await cancelWhenGracefulShutdown {
            await Watchdog.run(loops: loops, notifier: notifier, interval: interval, logger: logger)
        }
    }
}
