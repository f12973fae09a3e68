// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import ControlProtocol

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

struct Nodes: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Every chatd node on this Redis: address, version, sessions, last heartbeat.",
        discussion:
            "Each node describes itself at every presence heartbeat (presence_ttl/3); a node that stops is dropped after presence_ttl."
    )

    @ParentCommand var root: Chatctl

    func run() async throws {
        let reply = try await self.root.client.call(Control.NodesList.self)
        self.root.show(reply) { result in
            var table = Table(
                ["NODE", "ADDRESS", "VERSION", "SESSIONS", "USERS", "LAST HEARTBEAT"],
                rightAligned: [3, 4]
            )
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            for node in result.nodes {
                let age = max(0, Int(now - node.lastHeartbeat) / 1000)
                table.add([
                    node.node + (node.thisNode ? " (this)" : ""), Format.cell(node.address),
                    Format.cell(node.version), Format.cell(node.sessions), Format.cell(node.users),
                    "\(age) s ago",
                ])
            }
            return table.rendered
        }
    }
}
