// SPDX-License-Identifier: Apache-2.0
import NIOCore

/// Requests per second for one session, with a burst allowance. Owned by the
/// session's event loop, so plain state.
struct TokenBucket {
    let rate: Double
    let burst: Double
    private var tokens: Double
    private var last: NIODeadline

    init(rate: Double, burst: Double, now: NIODeadline = .now()) {
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.last = now
    }

    /// Takes one token if there is one.
    mutating func take(now: NIODeadline = .now()) -> Bool {
        guard rate > 0 else { return true }
        let elapsed = Double((now - last).nanoseconds) / 1e9
        self.last = now
        self.tokens = min(burst, tokens + elapsed * rate)
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}
