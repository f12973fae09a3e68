// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import ControlProtocol

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Is chatd up: sessions, users online, Redis, uptime, version.")

    @ParentCommand var root: Chatctl

    func run() async throws {
        let result = try await self.root.client.call("status")
        self.root.show(result) { status in
            keyValueLines([
                ("sessions", status.text("sessions")),
                ("users online", status.text("users_online")),
                ("connections", status.text("connections")),
                ("redis", status.text("redis")),
                ("uptime", Format.duration(seconds: status["uptime_seconds"]?.int ?? 0)),
                ("pid", status.text("pid")),
                ("version", status.text("version") + (status["commit"]?.string.map { " (git \($0))" } ?? "")),
            ])
        }
    }
}

struct Stats: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Counters: sessions, connections, messages in and out of the live sessions.",
        discussion: "Without --all-nodes, those of the node whose control socket you use.")

    @ParentCommand var root: Chatctl

    @Flag(name: .long, help: """
        The counters summed over every live node, then one line per node: each node answers \
        within 2 s or is named as not answering (nodes_missing). A user online on two nodes \
        counts on each.
        """)
    var allNodes = false

    func run() async throws {
        let result = try await self.root.client.call("stats", self.allNodes ? ["all_nodes": .bool(true)] : [:])
        let allNodes = self.allNodes
        self.root.show(result) { stats in
            var pairs = [
                ("sessions", stats.text("sessions")),
                ("users online", stats.text("users_online")),
                ("connections", stats.text("connections")),
                ("not logged in", stats.text("connections_not_logged_in")),
                ("messages in", stats.text("messages_in")),
                ("messages out", stats.text("messages_out")),
            ]
            guard allNodes else {
                pairs += [("redis", stats.text("redis")), ("uptime", Format.duration(seconds: stats["uptime_seconds"]?.int ?? 0))]
                return keyValueLines(pairs)
            }
            pairs.append(("nodes", Format.nodesAnswered(stats)))
            var table = Table(["NODE", "SESSIONS", "USERS", "CONNECTIONS", "NOT LOGGED IN", "IN", "OUT", "REDIS", "UPTIME"],
                              rightAligned: [1, 2, 3, 4, 5, 6, 8])
            for node in stats["nodes"]?.array ?? [] {
                table.add([node.text("node"), node.text("sessions"), node.text("users_online"), node.text("connections"),
                           node.text("connections_not_logged_in"), node.text("messages_in"), node.text("messages_out"),
                           node.text("redis"), Format.duration(seconds: node["uptime_seconds"]?.int ?? 0)])
            }
            return keyValueLines(pairs) + "\n\n" + table.rendered
        }
    }
}
