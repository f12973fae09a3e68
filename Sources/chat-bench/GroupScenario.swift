// SPDX-License-Identifier: Apache-2.0
import ArgumentParser

struct GroupScenario: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "group",
        abstract: "Group-message storm: M senders at a total rate; every other session receives each message."
    )

    @OptionGroup var common: CommonOptions
    @OptionGroup var traffic: TrafficOptions

    func run() async throws {
        armDeadline(seconds: self.common.maxTime)
        let fleet = try Fleet(scenario: "group", options: self.common)
        let sessions = try await fleet.establish(settle: self.common.settle)
        let senders = spread(sessions, count: self.traffic.senders)
        let size = self.traffic.size
        try await fleet.runTraffic(senders: senders, recipients: sessions.count - 1, traffic: self.traffic) { _ in
            .group(size: size)
        }
        try await fleet.finish()
        await fleet.closeAll(sessions)
        await fleet.shutdown()
    }
}

/// `count` of `sessions`, evenly spaced (so senders spread over loops, sources and servers).
func spread(_ sessions: [ChatSession], count: Int) -> [ChatSession] {
    let count = min(count, sessions.count)
    guard count > 0 else { return [] }
    let step = Double(sessions.count) / Double(count)
    return (0..<count).map { sessions[Int(Double($0) * step)] }
}
