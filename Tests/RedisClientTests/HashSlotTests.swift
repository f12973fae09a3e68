// SPDX-License-Identifier: Apache-2.0
import RedisClient
import Testing

/// Expected slots are what `CLUSTER KEYSLOT` answered on redis-server 7.0.15.
@Suite struct HashSlotTests {
    @Test(arguments: [
        ("foo", 12182), ("bar", 5061), ("", 0), ("a", 15495), ("123456789", 12739),
        ("héllo", 11061), ("{user1000}.following", 3443), ("{user1000}.followers", 3443),
    ])
    func slotMatchesRedis(key: String, slot: Int) {
        #expect(HashSlot.slot(forKey: key) == slot)
    }

    @Test func hashTagRules() {
        // The tag is the text between the first '{' and the next '}'...
        #expect(HashSlot.slot(forKey: "{user1000}.following") == HashSlot.slot(forKey: "{user1000}.followers"))
        #expect(HashSlot.slot(forKey: "foo{bar}{zap}") == HashSlot.slot(forKey: "bar"))
        #expect(HashSlot.slot(forKey: "{a}b") == HashSlot.slot(forKey: "a"))
        // ...which may itself hold a '{'...
        #expect(HashSlot.slot(forKey: "foo{{bar}}zap") == HashSlot.slot(forKey: "{bar"))
        #expect(HashSlot.slot(forKey: "foo{{bar}}zap") == 4015)
        // ...and an empty tag, or none, means the whole key.
        #expect(HashSlot.slot(forKey: "foo{}{bar}") == 8363)
        #expect(HashSlot.slot(forKey: "{}") == 15257)
        #expect(HashSlot.slot(forKey: "{") == 4092)
        #expect(HashSlot.slot(forKey: "foo{}{bar}") != HashSlot.slot(forKey: "bar"))
    }

    @Test func everySlotIsInRange() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<1000 {
            let key = (0..<Int.random(in: 0...20, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            #expect((0..<HashSlot.count).contains(HashSlot.slot(forKey: key)))
        }
    }
}
