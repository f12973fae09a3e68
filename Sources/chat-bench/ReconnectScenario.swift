// SPDX-License-Identifier: Apache-2.0
import ArgumentParser

struct ReconnectScenario: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconnect",
        abstract:
            "Reconnect storm: N sessions logged in, all drop at once, all come back (resume tokens when the server gives them)."
    )

    @OptionGroup var common: CommonOptions

    @Flag(help: "Log back in with passwords even when the server gave resume tokens.")
    var noToken = false

    @Option(help: "Reconnects (connect + login) in flight at once during the storm.")
    var reconnectWindow = 1024

    func run() async throws {
        armDeadline(seconds: self.common.maxTime)
        let fleet = try Fleet(scenario: "reconnect", options: self.common)
        let sessions = try await fleet.establish(settle: self.common.settle)

        let back = try await Self.storm(
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

extension ReconnectScenario {
    /// All of `sessions` drop at once and come back; fills the reconnect figures of the report.
    static func storm(fleet: Fleet, sessions: [ChatSession], noToken: Bool, window: Int) async throws -> [ChatSession] {
        var tokens: [Int: String] = [:]
        for session in sessions {
            if let token = try await session.token().get() { tokens[session.userID] = token }
        }
        let useTokens = !noToken && !tokens.isEmpty
        fleet.progress.say(
            "\(tokens.count) resume tokens received; reconnecting with \(useTokens ? "tokens" : "passwords")"
        )

        // The storm: every connection closes, then every user connects and logs in again.
        fleet.progress.enter("drop \(sessions.count)")
        let start = Clock.nanoseconds()
        await fleet.closeAll(sessions)
        let back = await fleet.reconnect(sessions.map(\.index), tokens: useTokens ? tokens : nil, window: window)
        let seconds = Clock.seconds(since: start)

        fleet.report.reconnectSeconds = seconds
        fleet.report.reconnected = back.count
        fleet.report.reconnectAuth = useTokens ? "token" : "password"
        return back
    }
}

extension Fleet {
    /// Connects and logs in each session index again, each as one chain, `window` at a time.
    func reconnect(_ indices: [Int], tokens: [Int: String]?, window: Int) async -> [ChatSession] {
        self.progress.enter("reconnect \(indices.count)")
        let (connector, stats, base) = (self.connector, self.stats, self.options.userBase)
        let (password, timeout) = (self.options.password, self.timeout)
        let results = await windowed(indices.count, window: window) { i in
            let index = indices[i]
            return ChatSession.connect(index: index, userID: base + index, connector: connector, stats: stats).flatMap {
                session in
                session.login(password: password, token: tokens?[base + index], timeout: timeout).flatMapThrowing {
                    reply in
                    guard reply.code == 200 else { throw ChatSessionHandler.Failure.closed }
                    return session
                }
            }
        }
        return results.compactMap { try? $0.get() }
    }
}
