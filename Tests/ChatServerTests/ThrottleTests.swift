// SPDX-License-Identifier: Apache-2.0
import NIOCore
import Testing

@testable import ChatServer

/// The login throttles with their clock given by hand: no waiting.
@Suite struct ThrottleTests {
    let start = NIODeadline.uptimeNanoseconds(1_000_000_000_000)

    @Test func theBackoffStartsAfterTheFreeFailuresAndDoublesUpToTheCap() {
        let backoff = LoginBackoff(cap: .seconds(60))
        var now = start
        var waits: [Int64] = []
        for _ in 1...12 {
            #expect(
                backoff.wait("8@192.0.2.7", now: now) == .zero,
                "a failure is only counted when attempts may be made"
            )
            let wait = backoff.failed("8@192.0.2.7", free: 5, now: now)
            waits.append(wait.nanoseconds / 1_000_000_000)
            #expect(backoff.wait("8@192.0.2.7", now: now) == wait)
            now = now + wait
        }
        #expect(waits == [0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 60, 60])
    }

    @Test func failuresCountPerKeyAndARightPasswordForgetsThem() {
        let backoff = LoginBackoff(cap: .seconds(60))
        for _ in 1...3 { backoff.failed("8@192.0.2.66", free: 3, now: start) }
        #expect(backoff.wait("8@192.0.2.66", now: start) == .seconds(1))
        #expect(backoff.wait("8@192.0.2.7", now: start) == .zero, "the owner's address is not the attacker's")
        #expect(backoff.wait("9@192.0.2.66", now: start) == .zero, "nor another user")
        backoff.succeeded("8@192.0.2.66")
        #expect(backoff.failed("8@192.0.2.66", free: 3, now: start) == .zero)
    }

    @Test func aQuietKeyIsForgottenAfterTheCap() {
        let backoff = LoginBackoff(cap: .seconds(60))
        for _ in 1...6 { backoff.failed("8@192.0.2.66", free: 5, now: start) }
        // Waited 2 s and then a whole cap without failing: it starts over.
        let later = start + .seconds(2) + .seconds(60)
        #expect(backoff.failed("8@192.0.2.66", free: 5, now: later) == .zero)
    }

    @Test func zeroFreeFailuresMeansNoLimit() {
        let backoff = LoginBackoff(cap: .seconds(60))
        for _ in 1...50 { #expect(backoff.failed("8@192.0.2.66", free: 0, now: start) == .zero) }
    }

    @Test func theAddressWindowCountsAndEnds() {
        let throttle = Throttle(window: .seconds(60))
        for _ in 1...3 { throttle.record("address:192.0.2.66", now: start) }
        let over = throttle.isOver("address:192.0.2.66", limit: 3, now: start + .seconds(10))
        #expect(over.over && over.retryAfter == .seconds(50))
        #expect(!throttle.isOver("address:192.0.2.66", limit: 3, now: start + .seconds(60)).over)
    }

    /// A flood of distinct keys (many users, many /64s) cannot grow the state without bound.
    @Test func theStateStaysBoundedUnderAFloodOfKeys() {
        var table = ExpiringTable<Entry>(capacity: 1000)
        for n in 0..<100_000 {
            table.set("k\(n)", Entry(expiry: start + .seconds(Int64(60 + n))), now: start)
            #expect(table.entries.count <= 1000)
        }
        // Those kept are the ones that would have been kept longest.
        #expect(table.value("k99999", now: start) != nil)
        #expect(table.value("k0", now: start) == nil)
    }

    struct Entry: Expiring {
        var expiry: NIODeadline
    }
}
