// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import ChatTesting
import ControlProtocol
import Foundation
import RedisClient
import TestTier
import Testing

/// `chatctl sessions --all-nodes` and `stats --all-nodes`: one node asks, every live
/// node answers over the bus.
@Suite(.integration) struct AllNodesTests {
    /// Long enough that a killed node is still live (listed, waited for) for the whole test.
    static let environment = ["CHATD_PRESENCE_TTL": "120"]

    @Test func everyNodesSessionsAndStatsFromOneNodeAndAKilledNodeIsNamedMissing() async throws {
        try await Deployment.with(environment: Self.environment) { chatd in
            let second = try await ChatdProcess.start(redisURL: chatd.redis.url, environment: Self.environment)
            let third = try await ChatdProcess.start(redisURL: chatd.redis.url, environment: Self.environment)
            defer {
                Task {
                    _ = try? await second.stop()
                    _ = try? await third.stop(signal: SIGKILL)
                }
            }
            let sockets = [chatd.socket, second.controlSocket, third.controlSocket]
            var ids: [String] = []
            for socket in sockets { ids.append(try await Self.nodeID(socket)) }

            try await chatd.register(1...3)
            // user1 on the first and the third node, user2 on the second, user3 on the third.
            let placed = [(1, 0), (2, 1), (3, 2), (1, 2)]
            var clients: [(client: TestChatClient, user: Int, node: String)] = []
            for (user, node) in placed {
                let client = try await TestChatClient.connect(port: [chatd.chatd, second, third][node].port)
                #expect(try await client.login(user, password: "pw").0.code == StatusCode.ok)
                clients.append((client, user, ids[node]))
            }

            let everywhere = try await chatd.chatctl("--json", "sessions", "--all-nodes").json
            #expect(Self.strings(everywhere["nodes_answered"]) == ids.sorted())
            #expect(Self.strings(everywhere["nodes_missing"]) == [])
            #expect(Self.strings(everywhere["nodes_truncated"]) == [])
            #expect(
                Self.placement(everywhere)
                    == Set(clients.map { Placement(peer: $0.client.peer, user: $0.user, node: $0.node) })
            )

            let ofUser1 = try await chatd.chatctl("--json", "sessions", "--all-nodes", "--user", "1").json
            #expect(
                Self.placement(ofUser1)
                    == Set(
                        clients.filter { $0.user == 1 }.map { Placement(peer: $0.client.peer, user: 1, node: $0.node) }
                    )
            )

            // Without --all-nodes: this node's sessions only, as before.
            let here = try await chatd.chatctl("--json", "sessions").json
            #expect(here["sessions"]?.array?.count == 1 && here["nodes_answered"] == nil)

            let human = try await chatd.chatctl("sessions", "--all-nodes")
            #expect(human.status == 0)
            #expect(human.lines.first?.hasPrefix("NODE") == true)
            #expect(ids.allSatisfy { id in human.lines.contains { $0.hasPrefix(id) } })
            #expect(human.lines.last == "nodes: 3 answered")

            let stats = try await chatd.chatctl("--json", "stats", "--all-nodes").json
            let perNode = stats["nodes"]?.array ?? []
            #expect(perNode.compactMap { $0["node"]?.string } == ids.sorted())
            #expect(
                Dictionary(uniqueKeysWithValues: perNode.map { ($0["node"]?.string ?? "", $0["sessions"]?.int ?? -1) })
                    == [ids[0]: 1, ids[1]: 1, ids[2]: 2]
            )
            #expect(stats["sessions"]?.int == 4)
            for key in [
                "sessions", "users_online", "connections", "connections_not_logged_in", "messages_in", "messages_out",
            ] {
                #expect(
                    stats[key]?.int == perNode.reduce(0) { $0 + ($1[key]?.int ?? 0) },
                    "\(key) is the sum of the nodes'"
                )
            }
            #expect(stats["users_online"]?.int == 4, "user1 counts on each of their two nodes")
            #expect(Self.strings(stats["nodes_missing"]) == [])
            let humanStats = try await chatd.chatctl("stats", "--all-nodes")
            #expect(humanStats.lines.contains { $0.hasPrefix("nodes:") && $0.hasSuffix(" 3 answered") })
            #expect(ids.allSatisfy { id in humanStats.lines.contains { $0.hasPrefix(id) } })
            // The answers' lists are gone once read.
            #expect(try await Self.replyLists(chatd) == [])

            // A node killed: still live by its heartbeat, so waited for until the deadline, then named.
            kill(third.pid, SIGKILL)
            _ = try await third.waitForExit()
            let withoutThird = try await chatd.chatctl("--json", "sessions", "--all-nodes")
            #expect(withoutThird.status == 0)
            #expect(Self.strings(try withoutThird.json["nodes_missing"]) == [ids[2]])
            #expect(Self.strings(try withoutThird.json["nodes_answered"]) == [ids[0], ids[1]].sorted())
            #expect(
                Self.placement(try withoutThird.json)
                    == Set(clients.prefix(2).map { Placement(peer: $0.client.peer, user: $0.user, node: $0.node) })
            )
            let statsWithoutThird = try await chatd.chatctl("--json", "stats", "--all-nodes").json
            #expect(Self.strings(statsWithoutThird["nodes_missing"]) == [ids[2]])
            #expect(statsWithoutThird["sessions"]?.int == 2)
            let humanMissing = try await chatd.chatctl("sessions", "--all-nodes")
            #expect(humanMissing.lines.last == "nodes: 2 answered, no answer from \(ids[2])")
            // It was waited for as a live node: its heartbeat is still in the nodes set.
            let listed = try await chatd.chatctl("--json", "nodes").json["nodes"]?.array ?? []
            #expect(listed.contains { $0["node"]?.string == ids[2] })

            for client in clients.prefix(2) { await client.client.close() }
        }
    }

    @Test func allNodesMustBeABoolean() async throws {
        try await Deployment.with { chatd in
            let lines = try await RawControlConnection.connect(chatd.socket).exchange(
                """
                {"jsonrpc":"2.0","id":1,"method":"sessions.list","params":{"all_nodes":"yes"}}
                {"jsonrpc":"2.0","id":2,"method":"stats","params":{"all_nodes":1}}
                {"jsonrpc":"2.0","id":3,"method":"stats","params":{"all_nodes":true}}

                """,
                replies: 3
            )
            let replies = try lines.map { try JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) }
            #expect(replies[0]["error"]?["code"]?.int == -32602)
            #expect(replies[1]["error"]?["code"]?.int == -32602)
            #expect(replies[2]["result"]?["nodes_answered"]?.array?.count == 1)
        }
    }

    struct Placement: Hashable {
        var peer: String
        var user: Int
        var node: String
    }

    static func placement(_ result: JSONValue) -> Set<Placement> {
        Set(
            (result["sessions"]?.array ?? []).map {
                Placement(peer: $0["peer"]?.string ?? "", user: $0["user_id"]?.int ?? 0, node: $0["node"]?.string ?? "")
            }
        )
    }

    static func strings(_ value: JSONValue?) -> [String] { (value?.array ?? []).compactMap(\.string) }

    /// The node id a control socket's chatd calls itself.
    static func nodeID(_ socket: String) async throws -> String {
        let nodes = try await Chatctl.run(["--json", "nodes"], socket: socket).json["nodes"]?.array ?? []
        return try #require(nodes.first { $0["this_node"]?.bool == true }?["node"]?.string)
    }

    static func replyLists(_ fixture: Deployment) async throws -> [String] {
        let client = RedisClient(configuration: try RedisConfiguration(url: fixture.redis.url))
        let keys = try await client.send(["KEYS", "chat:reply:*"])
        await client.shutdown()
        return (keys.array ?? []).compactMap(\.string)
    }
}
