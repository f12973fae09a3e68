// SPDX-License-Identifier: Apache-2.0
import NIOCore
import Testing

@testable import ChatServer

/// A session's request rate: a burst at once, then `rate` a second; time is passed in.
@Suite struct TokenBucketTests {
    let start = NIODeadline.uptimeNanoseconds(1_000_000_000)

    /// Takes `count` times at `now`; returns how many got a token.
    func take(_ count: Int, from bucket: inout TokenBucket, at now: NIODeadline) -> Int {
        var taken = 0
        for _ in 0..<count where bucket.take(now: now) { taken += 1 }
        return taken
    }

    @Test func aBurstThenRefusalsUntilTimeRefills() {
        var bucket = TokenBucket(rate: 2, burst: 3, now: self.start)
        #expect(self.take(4, from: &bucket, at: self.start) == 3)
        // Half a second at 2 a second: one more.
        #expect(self.take(2, from: &bucket, at: self.start + .milliseconds(500)) == 1)
    }

    @Test func aLongPauseRefillsOnlyUpToTheBurst() {
        var bucket = TokenBucket(rate: 10, burst: 2, now: self.start)
        #expect(self.take(5, from: &bucket, at: self.start + .seconds(60)) == 2)
    }

    @Test func rateZeroMeansNoLimit() {
        var bucket = TokenBucket(rate: 0, burst: 0, now: self.start)
        #expect(self.take(1000, from: &bucket, at: self.start) == 1000)
    }
}
