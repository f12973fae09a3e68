// SPDX-License-Identifier: Apache-2.0
import ChatStore
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

    /// Sweeps until cancelled (the server's `run`).
    func run() async {
        while !Task.isCancelled {
            let timeout = self.configuration.current.idleTimeout
            if timeout.nanoseconds > 0 { self.sweep(timeout: timeout) }
            let every = min(
                max(timeout.nanoseconds / 4, TimeAmount.seconds(1).nanoseconds),
                TimeAmount.seconds(30).nanoseconds
            )
            try? await Task.sleep(for: .nanoseconds(every))
        }
    }

    private func sweep(timeout: TimeAmount) {
        let cutoff = WallClock.millis() - timeout.nanoseconds / 1_000_000
        for channel in self.registry.channels(silentSince: cutoff) {
            SessionCommand.kick(channel, reason: "idle timeout")
        }
    }
}
