// SPDX-License-Identifier: Apache-2.0
import NIOConcurrencyHelpers
import NIOCore

/// Failed logins per (user, source): the first few are free; from then on each failure
/// makes the next password attempt from that source wait, 1 s at first, doubling with
/// each further failure up to `cap`. Keyed by source as well as user, so no one can
/// lock an owner out from elsewhere; the per-address total bounds a source guessing
/// across many users. A key quiet for `cap` after its wait ends is forgotten.
final class LoginBackoff: Sendable {
    private struct Failures: Expiring {
        var count: Int
        /// Password attempts wait until then.
        var until: NIODeadline
        var expiry: NIODeadline
    }

    static let firstWait = TimeAmount.seconds(1)
    let cap: TimeAmount
    private let state: NIOLockedValueBox<ExpiringTable<Failures>>

    init(cap: TimeAmount, capacity: Int = 100_000) {
        self.cap = cap
        self.state = NIOLockedValueBox(ExpiringTable(capacity: capacity))
    }

    /// How long password attempts for `key` must still wait; zero when they need not.
    func wait(_ key: String, now: NIODeadline = .now()) -> TimeAmount {
        self.state.withLockedValue { table in
            guard let failures = table.value(key, now: now), failures.until > now else { return .zero }
            return failures.until - now
        }
    }

    /// Counts a failure; `free` failures (0: any number) cost no wait. Returns the wait
    /// it starts.
    @discardableResult
    func failed(_ key: String, free: Int, now: NIODeadline = .now()) -> TimeAmount {
        self.state.withLockedValue { table in
            var failures = table.value(key, now: now) ?? Failures(count: 0, until: now, expiry: now)
            failures.count += 1
            var wait = TimeAmount.zero
            if free > 0, failures.count >= free {
                let doublings = Int64(min(failures.count - free, 32))  // 2³² s: far past any cap, no overflow
                wait = .nanoseconds(min(Self.firstWait.nanoseconds << doublings, self.cap.nanoseconds))
            }
            failures.until = now + wait
            failures.expiry = failures.until + self.cap
            table.set(key, failures, now: now)
            return wait
        }
    }

    /// The password was right: earlier typos from there are forgotten.
    func succeeded(_ key: String) {
        self.state.withLockedValue { $0.remove(key) }
    }
}
