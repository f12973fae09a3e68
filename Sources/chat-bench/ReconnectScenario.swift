import ArgumentParser

struct ReconnectScenario: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconnect",
        abstract: "Reconnect storm: N sessions logged in, all drop at once, all come back (resume tokens when the server gives them).")

    @OptionGroup var common: CommonOptions

    @Flag(help: "Log back in with passwords even when the server gave resume tokens.")
    var noToken = false

    func run() async throws {
        armDeadline(seconds: self.common.maxTime)
        let fleet = try Fleet(scenario: "reconnect", options: self.common)
        let sessions = try await fleet.establish(settle: self.common.settle)
        let firstLogin = fleet.report

        var tokens: [Int: String] = [:]
        for session in sessions {
            if let token = try await session.token().get() { tokens[session.userID] = token }
        }
        let useTokens = !self.noToken && !tokens.isEmpty
        fleet.progress.say("\(tokens.count) resume tokens received; reconnecting with \(useTokens ? "tokens" : "passwords")")

        // The storm: every connection closes, then every user connects and logs in again.
        fleet.progress.enter("drop \(sessions.count)")
        let start = Clock.nanoseconds()
        await fleet.closeAll(sessions)
        let back = try await fleet.reconnect(sessions.map(\.index), tokens: useTokens ? tokens : nil)
        let seconds = Clock.seconds(since: start)

        fleet.report.reconnectSeconds = seconds
        fleet.report.reconnected = back.count
        fleet.report.loginAuth = useTokens ? "token" : "password"
        // Keep the first login's figures; the reconnect's own are in reconnectSeconds.
        fleet.report.loginSeconds = firstLogin.loginSeconds
        fleet.report.loginsPerSecond = firstLogin.loginsPerSecond
        fleet.report.loggedIn = firstLogin.loggedIn
        try await fleet.finish()
        await fleet.closeAll(back)
        await fleet.shutdown()
    }
}

extension Fleet {
    /// Connects and logs in each session index again, each as one chain, `window` at a time.
    func reconnect(_ indices: [Int], tokens: [Int: String]?) async throws -> [ChatSession] {
        self.progress.enter("reconnect \(indices.count)")
        let (connector, stats, base) = (self.connector, self.stats, self.options.userBase)
        let (password, timeout) = (self.options.password, self.timeout)
        let results = await windowed(indices.count, window: self.options.window) { i in
            let index = indices[i]
            return ChatSession.connect(index: index, userID: base + index, connector: connector, stats: stats).flatMap { session in
                session.login(password: password, token: tokens?[base + index], timeout: timeout).flatMapThrowing { reply in
                    guard reply.code == 200 else { throw ChatSessionHandler.Failure.closed }
                    return session
                }
            }
        }
        return results.compactMap { try? $0.get() }
    }
}
