// SPDX-License-Identifier: Apache-2.0
import BuildInfo
import ChatStore
import ControlProtocol
import Foundation

/// Methods about the server as a whole.
extension ControlAPI {
    func status() -> JSONValue {
        let counts = self.server.hub.counts
        return .object([
            "sessions": .int(counts.sessions),
            "users_online": .int(counts.users),
            "connections": .int(self.server.connectionCount),
            "redis": .string(self.server.store.isHealthy ? "up" : "down"),
            "uptime_seconds": .int(self.server.report.uptimeSeconds),
            "pid": .int(Int(ProcessInfo.processInfo.processIdentifier)),
            "version": .string(Version.number),
            "commit": Version.commit.map { .string($0) } ?? .null,
        ])
    }

    /// Every node on this Redis, as each described itself at its last heartbeat.
    func listNodes() async throws(ControlError) -> JSONValue {
        let nodes = try await self.checked(await self.server.store.nodes())
        return .object(["nodes": .array(nodes.map { node in
            var fields: [String: JSONValue] = [
                "node": .string(node.id),
                "this_node": .bool(node.id == self.server.hub.node),
                "last_heartbeat": .int64(node.lastHeartbeat),
            ]
            for key in ["address", "version"] { fields[key] = node.info[key].map { .string($0) } ?? .null }
            for key in ["sessions", "users", "started"] { fields[key] = node.info[key].flatMap { Int64($0) }.map { .int64($0) } ?? .null }
            return .object(fields)
        })])
    }

    /// Totals over the live sessions: what an operator watches for load.
    func stats(_ params: Params) async throws(ControlError) -> JSONValue {
        if try params.optionalBool("all_nodes") == true { return try await self.statsOfAllNodes() }
        return .object(self.server.report.stats())
    }

    func broadcast(_ params: Params, audit: Audit) async throws(ControlError) -> JSONValue {
        let text = try params.string("text")
        guard !text.isEmpty, text.utf8.count <= 4096 else { throw .invalidParams("text must be 1 to 4096 bytes") }
        audit.target = "everyone"
        let recipients = await self.server.hub.broadcastNotice(text, ts: WallClock.millis())
        return .object(["recipients": .int(recipients)])
    }

    func reloadConfig(audit: Audit) async throws(ControlError) -> JSONValue {
        audit.target = "configuration"
        let outcome = await self.reload()
        if let error = outcome.error { throw .refused("reload failed, the running configuration stays: \(error)") }
        return .object(["reloaded": .bool(true), "needs_restart": .array(outcome.needsRestart.map { .string($0) })])
    }
}
