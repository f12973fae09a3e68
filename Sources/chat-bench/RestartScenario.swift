// SPDX-License-Identifier: Apache-2.0
import ArgumentParser

struct RestartScenario: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restart",
        abstract:
            "N sessions and a steady group-message rate through a server restart: sessions lost, the pause, messages lost, duplicated and delayed.",
        discussion: """
            Logs N sessions in, sends numbered group messages from --senders sessions at --rate for \
            --duration s, and --warmup s in runs --restart-command with /bin/sh -c. Exit status 4 \
            when that command failed (the report is written first).
            """
    )

    @OptionGroup var common: CommonOptions
    @OptionGroup var traffic: TrafficOptions

    @Option(help: "Command that restarts the server, run with /bin/sh -c (e.g. 'systemctl restart chatd').")
    var restartCommand: String

    @Option(help: "Seconds of sending before the restart command runs.")
    var warmup = 3.0

    @Flag(
        help:
            "Sessions the restart disconnected log in again (resume tokens, else passwords) once the command returned."
    )
    var reconnect = false

    @Option(help: "Reconnects (connect + login) in flight at once.")
    var reconnectWindow = 1024

    func validate() throws {
        guard self.warmup >= 0, self.warmup < self.traffic.duration else {
            throw ValidationError(
                "--warmup must be shorter than --duration: the restart happens while messages are sent"
            )
        }
        // Senders do not receive their own messages: with two, every session gets some after the restart.
        guard self.traffic.senders >= 2, self.common.sessions >= 2 else {
            throw ValidationError("the restart scenario needs --senders and --sessions of at least 2")
        }
    }

    func run() async throws {
        armDeadline(seconds: self.common.maxTime)
        let fleet = try Fleet(scenario: "restart", options: self.common)
        let sessions = try await fleet.establish(settle: self.common.settle)
        let run = RestartRun(
            fleet: fleet,
            traffic: self.traffic,
            command: self.restartCommand,
            warmup: self.warmup,
            reconnect: self.reconnect,
            reconnectWindow: self.reconnectWindow
        )
        let (alive, status) = try await run.run(sessions)
        try await fleet.finish()
        await fleet.closeAll(alive)
        await fleet.shutdown()
        if status != 0 { throw ExitCode(4) }
    }
}
