// SPDX-License-Identifier: Apache-2.0
import ChatStore
import NIOCore
import Testing

@Suite struct PasswordHasherTests {
    let hasher = PasswordHasher(parameters: ScryptParameters(n: 1024, r: 8, p: 1))

    @Test func hashVerifiesAndIsSalted() async throws {
        let a = try await hasher.hash("pw")
        let b = try await hasher.hash("pw")
        #expect(a != b)
        #expect(try await hasher.verify("pw", against: a))
        #expect(try await !hasher.verify("pW", against: a))
    }

    @Test(arguments: ["", "plain", "scrypt$1024$8$1$AAAA$AAAA", "scrypt$1000$8$1$AAAA$AAAA", "scrypt$x$8$1$$"])
    func garbageNeverVerifies(stored: String) async throws {
        #expect(try await !hasher.verify("pw", against: stored))
    }

    @Test func constantTimeEquality() {
        #expect(ConstantTime.equal(Array("abc".utf8), Array("abc".utf8)))
        #expect(!ConstantTime.equal(Array("abc".utf8), Array("abd".utf8)))
        #expect(!ConstantTime.equal(Array("abc".utf8), Array("ab".utf8)))
    }

    /// The queue is bounded by time, not count: a costly hash admits few waiting, a cheap
    /// one many; at least two per thread either way.
    @Test func theQueueBoundFollowsTheCost() {
        let costly = PasswordHasher(parameters: ScryptParameters())  // 2^17, r 8: about 0.3 s each
        let cheap = PasswordHasher(parameters: ScryptParameters(n: 1024, r: 8, p: 1))
        #expect(costly.maxPending >= 2 * min(System.coreCount, 4) && costly.maxPending <= 64)
        #expect(cheap.maxPending > 100 * costly.maxPending)
    }
}
