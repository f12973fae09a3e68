// SPDX-License-Identifier: Apache-2.0
import ArgumentParser

struct IdleScenario: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "idle",
        abstract: "Connect and log in N sessions, hold them idle, report logins/s and RSS per session."
    )

    @OptionGroup var common: CommonOptions

    @Option(help: "Seconds to hold the idle sessions before RSS at N is read.")
    var hold = 5.0

    func run() async throws {
        armDeadline(seconds: self.common.maxTime)
        let fleet = try Fleet(scenario: "idle", options: self.common)
        let sessions = try await fleet.establish(settle: max(self.hold, self.common.settle))
        try await fleet.finish()
        await fleet.closeAll(sessions)
        await fleet.shutdown()
    }
}
