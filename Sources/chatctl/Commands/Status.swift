// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import ControlProtocol

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Is chatd up: sessions, users online, Redis, uptime, version."
    )

    @ParentCommand var root: Chatctl

    func run() async throws {
        let reply = try await self.root.client.call(Control.Status.self)
        self.root.show(reply) { status in
            keyValueLines([
                ("sessions", String(status.sessions)),
                ("users online", String(status.usersOnline)),
                ("connections", String(status.connections)),
                ("redis", status.redis),
                ("uptime", Format.duration(seconds: status.uptimeSeconds)),
                ("pid", String(status.pid)),
                ("version", status.version + (status.commit.map { " (git \($0))" } ?? "")),
            ])
        }
    }
}

struct Stats: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Counters: sessions, connections, messages in and out of the live sessions.",
        discussion: "Without --all-nodes, those of the node whose control socket you use."
    )

    @ParentCommand var root: Chatctl

    @Flag(
        name: .long,
        help: """
            The counters summed over every live node, then one line per node: each node answers \
            within 2 s or is named as not answering (nodes_missing). A user online on two nodes \
            counts on each.
            """
    )
    var allNodes = false

    func run() async throws {
        let reply = try await self.root.client.call(Control.Stats.self, .init(allNodes: self.allNodes ? true : nil))
        let allNodes = self.allNodes
        self.root.show(reply) { stats in
            var pairs = [
                ("sessions", String(stats.sessions)),
                ("users online", String(stats.usersOnline)),
                ("connections", String(stats.connections)),
                ("not logged in", String(stats.connectionsNotLoggedIn)),
                ("messages in", String(stats.messagesIn)),
                ("messages out", String(stats.messagesOut)),
            ]
            guard allNodes else {
                pairs += [
                    ("redis", Format.cell(stats.redis)), ("uptime", Format.duration(seconds: stats.uptimeSeconds ?? 0)),
                ]
                return keyValueLines(pairs)
            }
            pairs.append(("nodes", Format.nodesAnswered(stats.nodesAnswered, missing: stats.nodesMissing)))
            var table = Table(
                ["NODE", "SESSIONS", "USERS", "CONNECTIONS", "NOT LOGGED IN", "IN", "OUT", "REDIS", "UPTIME"],
                rightAligned: [1, 2, 3, 4, 5, 6, 8]
            )
            for node in stats.nodes ?? [] {
                table.add([
                    Format.cell(node.node), String(node.sessions), String(node.usersOnline), String(node.connections),
                    String(node.connectionsNotLoggedIn), String(node.messagesIn), String(node.messagesOut),
                    Format.cell(node.redis), Format.duration(seconds: node.uptimeSeconds ?? 0),
                ])
            }
            return keyValueLines(pairs) + "\n\n" + table.rendered
        }
    }
}
