// SPDX-License-Identifier: Apache-2.0
import RedisClient
import Testing

@Suite struct SlotMapTests {
    static func node(_ host: String, _ port: Int, _ id: String = "id") -> RESPValue {
        .array([.bulk(host), .integer(port), .bulk(id)])
    }

    static func range(_ start: Int, _ end: Int, _ nodes: RESPValue...) -> RESPValue {
        .array([.integer(start), .integer(end)] + nodes)
    }

    @Test func parsesMastersAndReplicas() throws {
        let reply = RESPValue.array([
            Self.range(5461, 10922, Self.node("127.0.0.1", 7001), Self.node("127.0.0.1", 7004)),
            Self.range(0, 5460, Self.node("127.0.0.1", 7000)),
            // Redis 7 appends a metadata map to each node; RESP2 sends it as an array.
            Self.range(
                10923,
                16383,
                .array([.bulk(""), .integer(7002), .bulk("id"), .array([.bulk("hostname"), .bulk("h")])])
            ),
        ])
        let map = try SlotMap(clusterSlots: reply, defaultHost: "10.0.0.9")
        #expect(map.ranges.map(\.slots) == [0...5460, 5461...10922, 10923...16383])
        #expect(map.ranges[1].replicas == [RedisNodeAddress(host: "127.0.0.1", port: 7004)])
        #expect(map.master(forSlot: 0) == RedisNodeAddress(host: "127.0.0.1", port: 7000))
        #expect(map.master(forSlot: 5460) == RedisNodeAddress(host: "127.0.0.1", port: 7000))
        #expect(map.master(forSlot: 5461) == RedisNodeAddress(host: "127.0.0.1", port: 7001))
        // An empty host means "the node you asked".
        #expect(map.master(forSlot: 16383) == RedisNodeAddress(host: "10.0.0.9", port: 7002))
        #expect(map.masters.count == 3)
    }

    @Test func uncoveredSlotsHaveNoMaster() throws {
        let map = try SlotMap(
            clusterSlots: .array([Self.range(100, 100, Self.node("h", 1)), Self.range(200, 300, Self.node("h", 2))]),
            defaultHost: "x"
        )
        #expect(map.master(forSlot: 99) == nil)
        #expect(map.master(forSlot: 100) == RedisNodeAddress(host: "h", port: 1))
        #expect(map.master(forSlot: 150) == nil)
        #expect(map.master(forSlot: 300) == RedisNodeAddress(host: "h", port: 2))
        #expect(map.master(forSlot: 16383) == nil)
        #expect(try SlotMap(clusterSlots: .array([]), defaultHost: "x").master(forSlot: 0) == nil)
    }

    @Test(arguments: [
        RESPValue.simpleString("OK"),
        .array(nil),
        .error("ERR This instance has cluster support disabled"),
        .array([.integer(0)]),
        .array([.array([.integer(0), .integer(10)])]),
        .array([Self.range(10, 5, Self.node("h", 1))]),
        .array([Self.range(-1, 5, Self.node("h", 1))]),
        .array([Self.range(0, 16384, Self.node("h", 1))]),
        .array([Self.range(0, 100, Self.node("h", 1)), Self.range(100, 200, Self.node("h", 2))]),
        .array([.array([.bulk("0"), .integer(5), Self.node("h", 1)])]),
        .array([Self.range(0, 5, .array([.bulk("h")]))]),
        .array([Self.range(0, 5, .array([.bulk("h"), .bulk("7000")]))]),
        .array([Self.range(0, 5, .array([.integer(1), .integer(7000)]))]),
        .array([Self.range(0, 5, Self.node("h", 0))]),
        .array([Self.range(0, 5, Self.node("h", 65536))]),
        .array([Self.range(0, 5, Self.node("h", 1), .bulk("replica"))]),
        .array([Self.range(0, 5, .integer(3))]),
    ])
    func malformedReplyIsATypedError(reply: RESPValue) {
        #expect {
            _ = try SlotMap(clusterSlots: reply, defaultHost: "x")
        } throws: { error in
            guard case .invalidSlotMap = error as? RedisError else { return false }
            return true
        }
    }

    @Test func nodeAddressParsing() {
        #expect(
            RedisNodeAddress(parsing: "127.0.0.1:7000", defaultHost: "d")
                == RedisNodeAddress(host: "127.0.0.1", port: 7000)
        )
        #expect(RedisNodeAddress(parsing: ":7000", defaultHost: "d") == RedisNodeAddress(host: "d", port: 7000))
        #expect(RedisNodeAddress(parsing: "::1:7000", defaultHost: "d") == RedisNodeAddress(host: "::1", port: 7000))
        #expect(RedisNodeAddress(host: "::1", port: 7000).description == "[::1]:7000")
        for bad in ["7000", "h:", "h:x", "h:0", "h:70000", ""] {
            #expect(RedisNodeAddress(parsing: Substring(bad), defaultHost: "d") == nil, "\(bad)")
        }
    }
}
