// SPDX-License-Identifier: Apache-2.0
import NIOCore

/// Closes logged-in sessions that have sent nothing for `idle_timeout`, with "idle
/// timeout". One sweep over the registry every quarter of the timeout (1–30 s) rather
/// than a timer per session: an idle session, the common case, then costs no
/// scheduled task, and a reload's new timeout applies to every session at once.
final class IdleSweeper: Sendable {
    private let registry: SessionRegistry
    private let configuration: ConfigurationBox

    init(registry: SessionRegistry, configuration: ConfigurationBox) {
        self.registry = registry
        self.configuration = configuration
    }

    /// Sweeps on `loop` until the loop shuts down.
    func start(on loop: any EventLoop) {
        loop.execute { self.sweepAndReschedule(on: loop) }
    }

    private func sweepAndReschedule(on loop: any EventLoop) {
        let timeout = self.configuration.current.idleTimeout
        if timeout.nanoseconds > 0 { self.sweep(timeout: timeout) }
        let every = TimeAmount.nanoseconds(min(max(timeout.nanoseconds / 4, TimeAmount.seconds(1).nanoseconds),
                                               TimeAmount.seconds(30).nanoseconds))
        loop.scheduleTask(in: every) { self.sweepAndReschedule(on: loop) }
    }

    private func sweep(timeout: TimeAmount) {
        let cutoff = SessionStats.nowMillis() - timeout.nanoseconds / 1_000_000
        for channel in self.registry.channels(silentSince: cutoff) {
            channel.pipeline.fireUserInboundEventTriggered(SessionCommand.kick(reason: "idle timeout"))
        }
    }
}
