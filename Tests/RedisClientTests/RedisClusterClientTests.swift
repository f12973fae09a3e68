// SPDX-License-Identifier: Apache-2.0
import ChatTesting
import Logging
import TestTier
import Testing

@testable import RedisClient

/// Against a real three-master cluster (`RedisClusterProcess`).
@Suite(.timeLimit(.minutes(1)), .integration)
struct RedisClusterClientTests {
    @Test func keysOnEveryMasterRoundTrip() async throws {
        try await RedisClusterProcess.with { cluster in
            try await withClusterClient(cluster) { client in
                let map = try await client.refreshSlotMap()
                #expect(Set(map.masters.map(\.port)) == Set(cluster.ports))
                let keys = (0..<60).map { "key:\($0)" }
                let owners = Dictionary(grouping: keys) { map.master(forSlot: HashSlot.slot(forKey: $0))!.port }
                #expect(Set(owners.keys) == Set(cluster.ports), "the keys should spread over every master")
                for key in keys {
                    #expect(try await client.send(["SET", key, "value of \(key)"], key: key) == .simpleString("OK"))
                }
                for key in keys {
                    #expect(try await client.send(["GET", key], key: key).string == "value of \(key)")
                }
                // Each key really lives on the master the map names: that node serves it without a redirect.
                for (port, owned) in owners {
                    for key in owned.prefix(3) {
                        #expect(try await cluster.cli(port: port, ["GET", key]) == "value of \(key)")
                    }
                }
            }
        }
    }

    @Test func hashSlotAgreesWithTheServer() async throws {
        try await RedisClusterProcess.with(masters: 3) { cluster in
            try await withClusterClient(cluster) { client in
                var rng = SystemRandomNumberGenerator()
                for index in 0..<50 {
                    let tag = index % 3 == 0 ? "{t\(index % 7)}" : ""
                    let key = "k\(UInt32.random(in: 0...UInt32.max, using: &rng))\(tag)x"
                    let served = try await client.send(["CLUSTER", "KEYSLOT", key], key: key).int
                    #expect(served == HashSlot.slot(forKey: key), "\(key)")
                }
            }
        }
    }

    @Test func pipelineOnOneSlot() async throws {
        try await RedisClusterProcess.with { cluster in
            try await withClusterClient(cluster) { client in
                let results = try await client.pipeline(
                    Array(repeating: ["INCR", "{user42}:n"], count: 100) + [
                        ["SET", "{user42}:name", "ada"], ["GET", "{user42}:name"], ["INCR", "{user42}:name"],
                    ],
                    key: "{user42}"
                )
                #expect(try results.prefix(100).map { try $0.get().int } == Array(1...100))
                #expect(try results[101].get().string == "ada")
                guard case .failure(.server(let message)) = results[102] else {
                    Issue.record("INCR of text should fail on its own, got \(results[102])")
                    return
                }
                #expect(message.hasPrefix("ERR"))
                // Keys of several slots in one command are the server's error, reported as a value.
                await #expect(throws: RedisError.self) {
                    try await client.send(["MGET", "{user42}:n", "{other}:n"], key: "{user42}")
                }
            }
        }
    }

    /// The slot moves while the client's map is cached: the old owner answers MOVED, the
    /// client refreshes its map and reads from the new owner.
    @Test func movedAfterSlotMigrationIsFollowed() async throws {
        try await RedisClusterProcess.with { cluster in
            try await withClusterClient(cluster) { client in
                let key = "{moving}:greeting"
                let slot = HashSlot.slot(forKey: key)
                #expect(try await client.send(["SET", key, "hello"], key: key) == .simpleString("OK"))
                let source = try #require(client.slotMap?.master(forSlot: slot)).port
                let target = try #require(cluster.ports.first { $0 != source })

                try await migrate(slot: slot, keys: [key], from: source, to: target, in: cluster, finish: true)

                #expect(try await client.send(["GET", key], key: key).string == "hello")
                #expect(client.slotMap?.master(forSlot: slot)?.port == target, "MOVED should have refreshed the map")
                #expect(try await client.send(["SET", key, "again"], key: key) == .simpleString("OK"))
                #expect(try await cluster.cli(port: target, ["GET", key]) == "again")
            }
        }
    }

    /// Many callers hit MOVED at once: they share one refresh, and each is answered.
    @Test func concurrentMovedShareOneRefresh() async throws {
        try await RedisClusterProcess.with { cluster in
            try await withClusterClient(cluster) { client in
                let keys = (0..<40).map { "{crowd}:\($0)" }
                let slot = HashSlot.slot(forKey: keys[0])
                _ = try await client.pipeline(keys.map { ["SET", $0, "v\($0)"] }, key: keys[0])
                let source = try #require(client.slotMap?.master(forSlot: slot)).port
                let target = try #require(cluster.ports.first { $0 != source })
                let before = client.slotMapsInstalled
                try await migrate(slot: slot, keys: keys, from: source, to: target, in: cluster, finish: true)

                let values = try await withThrowingTaskGroup(of: String?.self) { group in
                    for key in keys {
                        group.addTask { try await client.send(["GET", key], key: key).string }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(Set(values) == Set(keys.map { "v\($0)" }))
                #expect(client.slotMapsInstalled == before + 1)
                #expect(client.slotMap?.master(forSlot: slot)?.port == target)
            }
        }
    }

    /// Mid-migration the old owner still serves keys it has and answers ASK for the rest:
    /// the client follows ASK with ASKING on the importing node and keeps its map.
    @Test func askDuringMigrationIsFollowed() async throws {
        try await RedisClusterProcess.with { cluster in
            try await withClusterClient(cluster) { client in
                let moved = "{half}:moved"
                let stayed = "{half}:stayed"
                let slot = HashSlot.slot(forKey: moved)
                _ = try await client.pipeline([["SET", moved, "m"], ["SET", stayed, "s"]], key: moved)
                let source = try #require(client.slotMap?.master(forSlot: slot)).port
                let target = try #require(cluster.ports.first { $0 != source })

                try await migrate(slot: slot, keys: [moved], from: source, to: target, in: cluster, finish: false)
                #expect(try await cluster.cli(port: source, ["GET", moved]).hasPrefix("ASK \(slot) "))

                #expect(try await client.send(["GET", moved], key: moved).string == "m")
                // One pipeline, half of it served by the source and half redirected.
                let results = try await client.pipeline(
                    [["GET", stayed], ["GET", moved], ["SET", "{half}:new", "n"]],
                    key: moved
                )
                #expect(try results.map { try $0.get().string } == ["s", "m", "OK"])
                // A new key in a migrating slot is created on the importing node.
                #expect(try await cluster.cli(port: source, ["EXISTS", "{half}:new"]).hasPrefix("ASK"))
                #expect(client.slotMap?.master(forSlot: slot)?.port == source, "ASK must not change the map")
            }
        }
    }

    /// A node that has lost a slot says the cluster is down; that is a retryable error of its own.
    @Test func clusterDownIsATypedRetryableError() async throws {
        try await RedisClusterProcess.with { cluster in
            try await withClusterClient(cluster) { client in
                let key = "down"
                _ = try await client.send(["SET", key, "1"], key: key)
                let slot = HashSlot.slot(forKey: key)
                let range = try #require(client.slotMap?.ranges.first { $0.slots.contains(slot) })
                let owner = range.master.port
                // Deleting another of its slots leaves the node with an incomplete view: cluster_state:fail.
                let victim = range.slots.lowerBound == slot ? range.slots.upperBound : range.slots.lowerBound
                #expect(try await cluster.cli(port: owner, ["CLUSTER", "DELSLOTS", String(victim)]) == "OK")
                await #expect {
                    _ = try await client.send(["GET", key], key: key)
                } throws: { error in
                    guard case .clusterUnavailable(let message) = error as? RedisError else { return false }
                    return message.hasPrefix("CLUSTERDOWN")
                }
            }
        }
    }

    @Test func afterShutdownCallsFail() async throws {
        try await RedisClusterProcess.with { cluster in
            let client = RedisClusterClient(seeds: try clusterSeeds(cluster))
            _ = try await client.send(["SET", "a", "1"], key: "a")
            await client.shutdown()
            await #expect(throws: RedisError.shutDown) { try await client.send(["GET", "a"], key: "a") }
            await #expect(throws: RedisError.shutDown) { try await client.refreshSlotMap() }
        }
    }

    @Test func unreachableSeedsAreATypedError() async throws {
        try await withRefusingLoopbackPort { port in
            var seed = try RedisConfiguration(url: "redis://127.0.0.1:\(port)")
            seed.connectTimeout = .seconds(2)
            let client = RedisClusterClient(seeds: [seed])
            await #expect {
                _ = try await client.send(["GET", "a"], key: "a")
            } throws: { error in
                guard case .connectionFailed = error as? RedisError else { return false }
                return true
            }
            await client.shutdown()
        }
    }
}

func clusterSeeds(_ cluster: RedisClusterProcess) throws -> [RedisConfiguration] {
    try cluster.urls.map { url in
        var configuration = try RedisConfiguration(url: url)
        configuration.poolSize = 2
        configuration.connectTimeout = .seconds(5)
        configuration.reconnectBackoffMin = .milliseconds(10)
        configuration.reconnectBackoffMax = .milliseconds(200)
        return configuration
    }
}

func withClusterClient<T>(
    _ cluster: RedisClusterProcess,
    isolation: isolated (any Actor)? = #isolation,
    _ body: (RedisClusterClient) async throws -> T
) async throws -> T {
    let client = RedisClusterClient(seeds: try clusterSeeds(cluster), logger: Logger(label: "test.redis-cluster"))
    do {
        let result = try await body(client)
        await client.shutdown()
        return result
    } catch {
        await client.shutdown()
        throw error
    }
}

/// Moves `keys` of `slot` by hand, as `redis-cli --cluster reshard` does: IMPORTING on the
/// target, MIGRATING on the source, MIGRATE; with `finish`, the slot is then assigned to the
/// target on every node (so no node answers from a stale view).
func migrate(
    slot: Int,
    keys: [String],
    from source: Int,
    to target: Int,
    in cluster: RedisClusterProcess,
    finish: Bool
) async throws {
    let sourceID = try await cluster.nodeID(port: source)
    let targetID = try await cluster.nodeID(port: target)
    #expect(try await cluster.cli(port: target, ["CLUSTER", "SETSLOT", String(slot), "IMPORTING", sourceID]) == "OK")
    #expect(try await cluster.cli(port: source, ["CLUSTER", "SETSLOT", String(slot), "MIGRATING", targetID]) == "OK")
    let migrated = try await cluster.cli(
        port: source,
        ["MIGRATE", cluster.host, String(target), "", "0", "5000", "KEYS"] + keys
    )
    #expect(migrated == "OK")
    guard finish else { return }
    for port in [target, source] + cluster.ports.filter({ $0 != source && $0 != target }) {
        #expect(try await cluster.cli(port: port, ["CLUSTER", "SETSLOT", String(slot), "NODE", targetID]) == "OK")
    }
}
