// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing

/// The two tiers of `swift test`. The in-process tier (`CHATD_TEST_TIER=unit`) starts
/// no process: handlers on embedded channels, state machines, parsers, the config. The
/// integration tier adds what runs against real redis-server, chatd, chat, chatctl and
/// systemd-socket-activate processes; `scripts/test` runs the first, then both.
public enum TestTier {
    public static var isUnitOnly: Bool { ProcessInfo.processInfo.environment["CHATD_TEST_TIER"] == "unit" }
}

extension Trait where Self == ConditionTrait {
    /// On a suite whose tests start processes (the spawner refuses to in the in-process tier).
    public static var integration: Self {
        .enabled(if: !TestTier.isUnitOnly, "starts processes: integration tier")
    }
}
