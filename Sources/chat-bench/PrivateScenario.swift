// SPDX-License-Identifier: Apache-2.0
import ArgumentParser

struct PrivateScenario: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "private",
        abstract: "Private-message mesh: M senders each write to the other sessions in turn."
    )

    @OptionGroup var common: CommonOptions
    @OptionGroup var traffic: TrafficOptions

    func run() async throws {
        armDeadline(seconds: self.common.maxTime)
        let fleet = try Fleet(scenario: "private", options: self.common)
        let sessions = try await fleet.establish(settle: self.common.settle)
        guard sessions.count >= 2 else { throw BenchError.failed("the mesh needs at least 2 logged-in sessions") }
        let senders = spread(sessions, count: self.traffic.senders)
        // Recipients are drawn from the logged-in sessions only, by index into their ids.
        let ids = sessions.map(\.userID)
        let contiguous = ids == Array(ids[0]..<(ids[0] + ids.count))
        guard contiguous else { throw BenchError.failed("some logins failed; the mesh needs contiguous user ids") }
        let (size, first, count) = (self.traffic.size, ids[0], ids.count)
        try await fleet.runTraffic(senders: senders, recipients: 1, traffic: self.traffic) { session in
            .mesh(size: size, firstUser: first, users: count, selfIndex: session.userID - first)
        }
        try await fleet.finish()
        await fleet.closeAll(sessions)
        await fleet.shutdown()
    }
}
