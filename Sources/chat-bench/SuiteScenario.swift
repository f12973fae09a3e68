// SPDX-License-Identifier: Apache-2.0
import ArgumentParser

/// Every chat scenario on one logged-in fleet, so N sessions log in once:
/// idle → group (latency) → group (saturating) → private mesh → reconnect storm.
struct SuiteScenario: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "suite",
        abstract:
            "idle, group, group at a saturating rate, private mesh and reconnect storm on one fleet; one JSON line each."
    )

    @OptionGroup var common: CommonOptions
    @OptionGroup var traffic: TrafficOptions

    @Option(help: "Seconds to hold the idle sessions before RSS at N is read.")
    var hold = 5.0

    @Option(help: "Total group messages/s of the saturating run (0: skip it).")
    var saturateRate = 0.0

    @Option(help: "Seconds of the saturating run.")
    var saturateDuration = 5.0

    @Option(help: "Senders of the private mesh (default: min(N, 1000)).")
    var privateSenders: Int?

    @Option(help: "Total private messages/s (0: skip the mesh).")
    var privateRate = 1000.0

    @Flag(help: "Log back in with passwords in the reconnect storm even when the server gave tokens.")
    var noToken = false

    @Option(help: "Reconnects (connect + login) in flight at once during the storm.")
    var reconnectWindow = 1024

    func run() async throws {
        armDeadline(seconds: self.common.maxTime)
        let fleet = try Fleet(scenario: "idle", options: self.common)
        let sessions = try await fleet.establish(settle: max(self.hold, self.common.settle))
        let base = fleet.report
        try await fleet.finish()

        let size = self.traffic.size
        fleet.report = base
        fleet.report.scenario = "group"
        fleet.progress.start()
        try await fleet.runTraffic(
            senders: spread(sessions, count: self.traffic.senders),
            recipients: sessions.count - 1,
            traffic: self.traffic
        ) { _ in .group(size: size) }
        try await fleet.finish()

        if self.saturateRate > 0 {
            var saturate = self.traffic
            saturate.rate = self.saturateRate
            saturate.duration = self.saturateDuration
            fleet.report = base
            fleet.report.scenario = "group"
            fleet.progress.start()
            try await fleet.runTraffic(
                senders: spread(sessions, count: self.traffic.senders),
                recipients: sessions.count - 1,
                traffic: saturate
            ) { _ in .group(size: size) }
            try await fleet.finish()
        }

        if self.privateRate > 0, sessions.count >= 2, sessions.last!.userID - sessions[0].userID == sessions.count - 1 {
            var mesh = self.traffic
            mesh.rate = self.privateRate
            mesh.senders = self.privateSenders ?? min(sessions.count, 1000)
            let (first, count) = (sessions[0].userID, sessions.count)
            fleet.report = base
            fleet.report.scenario = "private"
            fleet.progress.start()
            for session in sessions { _ = try await session.withHandler { $0.traffic = .none }.get() }
            try await fleet.runTraffic(senders: spread(sessions, count: mesh.senders), recipients: 1, traffic: mesh) {
                session in
                .mesh(size: size, firstUser: first, users: count, selfIndex: session.userID - first)
            }
            try await fleet.finish()
        }

        fleet.report = base
        fleet.report.scenario = "reconnect"
        fleet.progress.start()
        fleet.progress.enter("quiesce")
        try await fleet.stats.quiesce(limit: max(self.traffic.drain, 5))
        let back = try await ReconnectScenario.storm(
            fleet: fleet,
            sessions: sessions,
            noToken: self.noToken,
            window: self.reconnectWindow
        )
        try await fleet.finish()
        await fleet.closeAll(back)
        await fleet.shutdown()
    }
}
