// SPDX-License-Identifier: Apache-2.0
import NIOCore
import NIOPosix

/// The bench's sessions and the phases every chat scenario shares: connect,
/// register, log in, measure the server's RSS, run paced traffic, drop.
final class Fleet {
    let options: CommonOptions
    let group: MultiThreadedEventLoopGroup
    let stats: StatsSet
    let connector: Connector
    let progress: Progress
    var report: Report

    init(scenario: String, options: CommonOptions) throws {
        let limit = FileLimit.raiseToHard()
        guard options.sessions + 64 <= limit else {
            throw BenchError.usage(
                "\(options.sessions) sessions need as many open files; this process may have \(limit) (ulimit -n)"
            )
        }
        self.options = options
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: options.threads)
        self.stats = StatsSet(group: self.group)
        // A connect gets as long as a request: an emulated guest needs more than 10 s.
        self.connector = try Connector(
            group: self.group,
            servers: options.servers.map(Connector.loopbackAddress),
            sourceCount: options.sources,
            timeout: .seconds(Int64(options.requestTimeout))
        )
        self.progress = Progress(stats: self.stats, quiet: options.quiet)
        self.report = Report(
            scenario: scenario,
            servers: options.servers,
            sessions: options.sessions,
            sourceAddresses: options.sources,
            benchThreads: options.threads
        )
    }

    func shutdown() async {
        self.progress.stop()
        try? await self.group.shutdownGracefully()
    }

    var timeout: TimeAmount { .seconds(Int64(self.options.requestTimeout)) }
    func userID(_ index: Int) -> Int { self.options.userBase + index }

    // MARK: phases

    /// Connects, optionally registers, logs every session in with its password and
    /// reads RSS before and after. Returns the logged-in sessions.
    func establish(settle: Double) async throws -> [ChatSession] {
        self.progress.start()
        let rssZero = ProcStatus.residentBytes(pids: self.options.chatdPIDs)
        var sessions = try await self.connectAll()
        if self.options.register { await self.registerAll(sessions.filter { $0.index >= self.options.registered }) }
        sessions = try await self.loginAll(sessions, tokens: nil)
        self.progress.enter("settle \(settle) s")
        try await Task.sleep(for: .seconds(settle))
        let rssN = ProcStatus.residentBytes(pids: self.options.chatdPIDs)
        if let zero = rssZero, let n = rssN {
            self.report.rssAtZeroBytes = zero
            self.report.rssAtNBytes = n
            self.report.rssPerSessionBytes = Double(n - zero) / Double(max(1, sessions.count))
        }
        return sessions
    }

    func connectAll() async throws -> [ChatSession] {
        self.progress.enter("connect \(self.options.sessions)")
        let (connector, stats, base) = (self.connector, self.stats, self.options.userBase)
        let start = Clock.nanoseconds()
        let results = await windowed(self.options.sessions, window: self.options.window) { index in
            ChatSession.connect(index: index, userID: base + index, connector: connector, stats: stats)
        }
        let seconds = Clock.seconds(since: start)
        let sessions = results.compactMap { try? $0.get() }
        try await self.count(failures: results.count - sessions.count) { $0.connectFailures += $1 }
        var reasons: [String: Int] = [:]
        for case .failure(let error) in results { reasons["\(error)", default: 0] += 1 }
        if !reasons.isEmpty { self.report.connectErrors = reasons }
        self.report.connectSeconds = seconds
        self.report.connectsPerSecond = Double(sessions.count) / seconds
        if sessions.isEmpty, case .failure(let error) = results.first {
            throw BenchError.failed("no connection: \(error)")
        }
        return sessions
    }

    func registerAll(_ sessions: [ChatSession]) async {
        self.progress.enter("register \(sessions.count)")
        let (password, timeout) = (self.options.password, self.timeout)
        let start = Clock.nanoseconds()
        _ = await windowed(sessions.count, window: self.options.window) {
            sessions[$0].register(password: password, timeout: timeout)
        }
        self.report.registerSeconds = Clock.seconds(since: start)
    }

    /// Logs `sessions` in (with their resume tokens when `tokens` has one) and keeps the ones that made it.
    func loginAll(_ sessions: [ChatSession], tokens: [Int: String]?) async throws -> [ChatSession] {
        self.progress.enter("login \(sessions.count)")
        let (password, timeout) = (self.options.password, self.timeout)
        let start = Clock.nanoseconds()
        let results = await windowed(sessions.count, window: self.options.window) { i in
            sessions[i].login(password: password, token: tokens?[sessions[i].userID], timeout: timeout)
        }
        let seconds = Clock.seconds(since: start)
        var ok: [ChatSession] = []
        var timedOut = 0
        var firstFailure: String?
        for (session, result) in zip(sessions, results) {
            switch result {
            case .success(let reply) where reply.code == 200: ok.append(session)
            case .success(let reply): firstFailure = firstFailure ?? "code \(reply.code)"  // counted by the handler
            case .failure(let error):
                timedOut += 1
                firstFailure = firstFailure ?? "\(error)"
            }
        }
        if let failure = firstFailure {
            self.progress.say(
                "\(sessions.count - ok.count) logins failed, the first with \(failure)"
                    + (self.options.register ? "" : " (are the users registered? --register)")
            )
        }
        try await self.count(failures: timedOut) { $0.loginFailures += $1 }
        self.report.loginSeconds = seconds
        self.report.loginsPerSecond = Double(ok.count) / seconds
        self.report.loggedIn = ok.count
        self.report.loginAuth = tokens == nil ? "password" : "token"
        self.progress.say("\(ok.count) of \(sessions.count) logged in in \(String(format: "%.2f", seconds)) s")
        guard !ok.isEmpty else { throw BenchError.failed("no session logged in: \(firstFailure ?? "?")") }
        return ok
    }

    func closeAll(_ sessions: [ChatSession]) async {
        _ = await windowed(sessions.count, window: 4096) { sessions[$0].close() }
    }

    /// Sends from `senders` at the total `traffic.rate` for `traffic.duration`, then
    /// waits for `recipients` deliveries of each message (or the drain time).
    func runTraffic(
        senders: [ChatSession],
        recipients: Int,
        traffic: TrafficOptions,
        what: @escaping @Sendable (ChatSession) -> ChatTraffic
    ) async throws {
        for sender in senders {
            try await sender.withHandler { $0.traffic = what(sender) }.get()
        }
        let loops = try await pacedLoops(
            senders.map { sender in
                let handler = sender.handlerOnLoop
                return PacedHandle(loop: sender.channel.eventLoop) { handler.value }
            }
        )
        try await runPacedTraffic(
            loops: loops,
            senderCount: senders.count,
            recipients: recipients,
            traffic: traffic,
            stats: self.stats,
            progress: self.progress,
            report: &self.report
        )
    }

    /// Adds failures the fleet saw (not a handler) to the first loop's counters.
    private func count(failures: Int, _ add: @escaping @Sendable (inout Counters, Int) -> Void) async throws {
        guard failures > 0, let first = self.stats.all.first else { return }
        try await first.loop.submit { add(&first.counters, failures) }.get()
    }

    /// Final counters into the report; prints the summary and the JSON line.
    func finish() async throws {
        let counters = try await self.stats.counters()
        self.report.add(errors: counters)
        self.progress.stop()
        emit(self.report, jsonFile: self.options.json)
    }
}

/// Prints the human summary and the JSON line (stdout), and appends the line to `jsonFile`.
func emit(_ report: Report, jsonFile: String?) {
    var report = report
    report.addLoadAverage()
    print(report.summary)
    print(report.jsonLine)
    if let path = jsonFile {
        appendLine(report.jsonLine, to: path)
    }
}
