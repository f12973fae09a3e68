// SPDX-License-Identifier: Apache-2.0
import NIOCore

/// Exponential reconnect delay with jitter, so a pool of connections does not
/// hammer a recovering server in lock-step.
struct Backoff: Sendable {
    let minimum: TimeAmount
    let maximum: TimeAmount

    /// Delay before reconnect attempt number `attempt` (0-based): a random value in
    /// [base/2, base] where base = min * 2^attempt, capped at max.
    func delay(attempt: Int) -> TimeAmount {
        let minNanos = max(Int64(1), self.minimum.nanoseconds)
        let maxNanos = max(minNanos, self.maximum.nanoseconds)
        let shift = Int64(min(attempt, 40))
        let (scaled, overflow) = minNanos.multipliedReportingOverflow(by: Int64(1) << shift)
        let base = overflow ? maxNanos : min(scaled, maxNanos)
        return .nanoseconds(Int64.random(in: (base / 2)...base))
    }
}
