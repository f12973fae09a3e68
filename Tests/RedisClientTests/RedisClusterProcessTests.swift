// SPDX-License-Identifier: Apache-2.0
import ChatTesting
import Foundation
import TestTier
import Testing

@Suite(.timeLimit(.minutes(1)), .integration)
struct RedisClusterProcessTests {
    @Test func startsAJoinedClusterAndKillsEveryNode() async throws {
        let (pids, directory) = try await RedisClusterProcess.with { cluster in
            #expect(cluster.ports.count == 3)
            for port in cluster.ports {
                let info = try await cluster.cli(port: port, ["CLUSTER", "INFO"])
                #expect(info.contains("cluster_state:ok"))
                #expect(info.contains("cluster_known_nodes:3"))
                #expect(info.contains("cluster_slots_assigned:16384"))
            }
            return (Array(cluster.pids.values), cluster.directory)
        }
        #expect(pids.count == 3)
        for pid in pids {
            #expect(kill(pid, 0) == -1, "node \(pid) should be gone")
        }
        #expect(!FileManager.default.fileExists(atPath: directory.path))
    }

    @Test func killOneMaster() async throws {
        try await RedisClusterProcess.with { cluster in
            let victim = cluster.ports[1]
            let pid = try #require(cluster.pids[victim])
            await cluster.kill9(port: victim)
            #expect(cluster.pids[victim] == nil)
            #expect(kill(pid, 0) == -1)
            await #expect(throws: RedisClusterProcessError.self) { try await cluster.cli(port: victim, ["PING"]) }
            #expect(try await cluster.cli(port: cluster.ports[0], ["PING"]) == "PONG")
        }
    }

    @Test func nodesStopEvenWhenTheBodyThrows() async throws {
        struct Planned: Error {}
        var pids: [Int32] = []
        do {
            try await RedisClusterProcess.with(masters: 3) { cluster in
                pids = Array(cluster.pids.values)
                throw Planned()
            }
        } catch is Planned {}
        #expect(pids.count == 3)
        for pid in pids {
            #expect(kill(pid, 0) == -1)
        }
    }
}
