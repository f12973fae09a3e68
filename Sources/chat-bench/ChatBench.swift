// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import BuildInfo
import Foundation

@main
struct ChatBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat-bench",
        abstract: "Load generator for chatd (and a redis-server pub/sub baseline). Loopback only.",
        discussion: """
            One process holds every client connection, bound to 127.0.0.2, .3, … Each run \
            is bounded in time and stops by itself. Progress goes to stderr once a second; \
            the result is a human summary and one JSON line on stdout (also appended to --json).
            Start chatd with a low scrypt cost for login figures (CHATD_SCRYPT_N=1024) and pass \
            --chatd-pid for RSS per session. scripts/bench runs everything.
            Exit status: 0 done, 1 usage or setup error, 3 the --max-time limit was hit, 4 restart's command failed.
            """,
        version: "chat-bench \(Version.text)",
        subcommands: [
            SuiteScenario.self, IdleScenario.self, GroupScenario.self, PrivateScenario.self, ReconnectScenario.self,
            RestartScenario.self, RedisScenario.self,
        ]
    )
}

/// Ends the process if a run outlives `seconds`: the bench always stops by itself.
func armDeadline(seconds: Double) {
    Task.detached {
        try? await Task.sleep(for: .seconds(seconds))
        FileHandle.standardError.write(Data("chat-bench: --max-time \(seconds) s reached, stopping\n".utf8))
        exit(3)
    }
}
