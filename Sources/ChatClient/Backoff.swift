// SPDX-License-Identifier: Apache-2.0

/// How long to wait before the next reconnect attempt: "full jitter", a random time
/// between zero and a ceiling that doubles with each failed attempt up to `cap`, so
/// clients dropped together by a restart do not all come back in the same instant.
public struct Backoff: Sendable {
    public let base: Duration
    public let cap: Duration
    /// Attempts since the last `reset`; the ceiling stops growing at `cap`.
    public private(set) var attempt = 0

    public init(base: Duration = .milliseconds(250), cap: Duration = .seconds(10)) {
        precondition(base > .zero && cap >= base, "backoff needs 0 < base <= cap")
        (self.base, self.cap) = (base, cap)
    }

    /// The longest the next wait can be: `base` doubled `attempt` times, at most `cap`.
    public var ceiling: Duration {
        var ceiling = self.base
        for _ in 0..<self.attempt {
            ceiling *= 2
            if ceiling >= self.cap { return self.cap }
        }
        return ceiling
    }

    /// The next wait, drawn from `generator`.
    public mutating func next<R: RandomNumberGenerator>(using generator: inout R) -> Duration {
        let ceiling = self.ceiling
        if ceiling < self.cap { self.attempt += 1 }  // no further: the loop above stays short
        let nanoseconds = ceiling.components.seconds * 1_000_000_000 + ceiling.components.attoseconds / 1_000_000_000
        return .nanoseconds(Int64.random(in: 0...nanoseconds, using: &generator))
    }

    public mutating func next() -> Duration {
        var generator = SystemRandomNumberGenerator()
        return self.next(using: &generator)
    }

    /// After a successful login: the next outage starts with short waits again.
    public mutating func reset() { self.attempt = 0 }
}
