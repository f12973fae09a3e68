// SPDX-License-Identifier: Apache-2.0
import BuildInfo
import ChatStore
import ControlProtocol
import Foundation

/// Methods about the server as a whole.
extension ControlAPI {
    func status() -> Control.Status.Result {
        let counts = self.server.hub.counts
        return .init(
            sessions: counts.sessions,
            usersOnline: counts.users,
            connections: self.server.connectionCount,
            redis: self.server.store.isHealthy ? "up" : "down",
            uptimeSeconds: self.server.report.uptimeSeconds,
            pid: Int(ProcessInfo.processInfo.processIdentifier),
            version: Version.number,
            commit: Version.commit
        )
    }

    /// Every node on this Redis, as each described itself at its last heartbeat.
    func listNodes() async throws(ControlError) -> Control.NodesList.Result {
        let nodes = try await self.checked(await self.server.store.nodes())
        return .init(
            nodes: nodes.map { node in
                ControlNode(
                    node: node.id,
                    thisNode: node.id == self.server.hub.node,
                    address: node.info["address"],
                    version: node.info["version"],
                    sessions: node.info["sessions"].flatMap { Int64($0) },
                    users: node.info["users"].flatMap { Int64($0) },
                    started: node.info["started"].flatMap { Int64($0) },
                    lastHeartbeat: node.lastHeartbeat
                )
            }
        )
    }

    /// Totals over the live sessions: what an operator watches for load.
    func stats(_ params: Control.Stats.Params) async throws(ControlError) -> Control.Stats.Result {
        if params.allNodes == true { return try await self.statsOfAllNodes() }
        return self.server.report.stats()
    }

    func broadcast(
        _ params: Control.Broadcast.Params,
        audit: Audit
    ) async throws(ControlError) -> Control.Broadcast.Result {
        let text = params.text
        guard !text.isEmpty, text.utf8.count <= 4096 else { throw .invalidParams("text must be 1 to 4096 bytes") }
        audit.target = "everyone"
        return .init(recipients: await self.server.hub.broadcastNotice(text, ts: WallClock.millis()))
    }

    func reloadConfig(audit: Audit) async throws(ControlError) -> Control.ConfigReload.Result {
        audit.target = "configuration"
        let outcome = await self.reload()
        if let error = outcome.error { throw .refused("reload failed, the running configuration stays: \(error)") }
        return .init(needsRestart: outcome.needsRestart)
    }
}
