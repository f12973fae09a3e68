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
        discussion: "Each node describes itself at every presence heartbeat (presence_ttl/3); a node that stops is dropped after presence_ttl.")

    @ParentCommand var root: Chatctl

    func run() async throws {
        let result = try await self.root.client.call("nodes.list")
        let nodes = result["nodes"]?.array ?? []
        self.root.show(result) { _ in
            var table = Table(["NODE", "ADDRESS", "VERSION", "SESSIONS", "USERS", "LAST HEARTBEAT"], rightAligned: [3, 4])
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            for node in nodes {
                let age = node["last_heartbeat"]?.int64.map { max(0, Int(now - $0) / 1000) }
                table.add([node.text("node") + (node["this_node"]?.bool == true ? " (this)" : ""), node.text("address"),
                           node.text("version"), node.text("sessions"), node.text("users"),
                           age.map { "\($0) s ago" } ?? "?"])
            }
            return table.rendered
        }
    }
}
