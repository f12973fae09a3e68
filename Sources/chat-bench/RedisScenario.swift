// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import NIOCore
import NIOPosix

/// The same-run baseline: redis-server PUBLISH → SUBSCRIBE fan-out with the same
/// N, senders, rate and content size as the group scenario, counted the same way.
struct RedisScenario: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redis",
        abstract: "Baseline: N SUBSCRIBE connections on one channel, M publishers at the same total rate and size."
    )

    @Option(help: "redis-server address HOST:PORT, loopback only (start it with --maxclients above N).")
    var redis = "127.0.0.1:6379"

    @Option(name: .customLong("redis-pid"), help: "PID of redis-server, for RSS per subscriber.")
    var redisPID: Int32?

    @Option(name: [.customShort("n"), .customLong("sessions")], help: "Number of subscriber connections.")
    var sessions = 1000

    @Option(help: "Loopback source addresses: 127.0.0.2, .3, …")
    var sources = 8

    @Option(help: "Event-loop threads of the bench.")
    var threads = System.coreCount

    @Option(help: "Connections in flight at once.")
    var window = 256

    @Option(help: "Pub/sub channel name.")
    var channel = "chat-bench"

    @Option(help: "Hard limit on the whole run in seconds (exit 3).")
    var maxTime = 600.0

    @Option(help: "Append the JSON line to this file too.")
    var json: String?

    @Flag(help: "No progress lines on stderr.")
    var quiet = false

    @OptionGroup var traffic: TrafficOptions

    func run() async throws {
        armDeadline(seconds: self.maxTime)
        let limit = FileLimit.raiseToHard()
        guard self.sessions + self.traffic.senders + 64 <= limit else {
            throw BenchError.usage(
                "\(self.sessions) subscribers need as many open files; this process may have \(limit)"
            )
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: self.threads)
        let stats = StatsSet(group: group)
        let progress = Progress(stats: stats, quiet: self.quiet)
        let connector = try Connector(
            group: group,
            servers: [Connector.loopbackAddress(self.redis)],
            sourceCount: self.sources
        )
        var report = Report(
            scenario: "redis",
            servers: [self.redis],
            sessions: self.sessions,
            sourceAddresses: self.sources,
            benchThreads: self.threads
        )
        progress.start()
        let rssZero = self.redisPID.flatMap { ProcStatus.residentBytes(pid: $0) }

        progress.enter("subscribe \(self.sessions)")
        let start = Clock.nanoseconds()
        let (name, size) = (self.channel, self.traffic.size)
        let subscribing = await windowed(self.sessions, window: self.window) { index in
            Self.connect(index: index, connector: connector, stats: stats, channel: name, size: size).flatMap { conn in
                conn.1.eventLoop.flatSubmit { conn.1.value.subscribe() }.map { conn }
            }
        }
        let subscribers = subscribing.compactMap { try? $0.get() }
        let seconds = Clock.seconds(since: start)
        report.connectSeconds = seconds
        report.connectsPerSecond = Double(subscribers.count) / seconds
        report.loggedIn = subscribers.count
        progress.say("\(subscribers.count) of \(self.sessions) subscribed in \(seconds) s")

        let first = self.sessions
        let publishing = await windowed(self.traffic.senders, window: self.window) { i in
            Self.connect(index: first + i, connector: connector, stats: stats, channel: name, size: size)
        }
        let publishers = publishing.compactMap { try? $0.get() }
        for case .failure(let error) in (subscribing.map { $0.map { _ in () } } + publishing.map { $0.map { _ in () } })
            .prefix(1)
        {
            progress.say("first failure: \(error)")
        }
        guard !publishers.isEmpty, !subscribers.isEmpty else {
            throw BenchError.failed("could not connect to \(self.redis)")
        }
        try await Task.sleep(for: .seconds(1))
        if let zero = rssZero, let pid = self.redisPID, let n = ProcStatus.residentBytes(pid: pid) {
            report.rssAtZeroBytes = zero
            report.rssAtNBytes = n
            report.rssPerSessionBytes = Double(n - zero) / Double(subscribers.count)
        }

        let loops = try await pacedLoops(
            publishers.map { publisher in
                let handler = publisher.1
                return PacedHandle(loop: publisher.0.eventLoop) { handler.value }
            }
        )
        try await runPacedTraffic(
            loops: loops,
            senderCount: publishers.count,
            recipients: subscribers.count,
            traffic: self.traffic,
            stats: stats,
            progress: progress,
            report: &report
        )
        report.add(errors: try await stats.counters())
        progress.stop()
        emit(report, jsonFile: self.json)
        for (channel, handler) in subscribers + publishers {
            _ = try? await channel.eventLoop.flatSubmit {
                handler.value.closingOnPurpose = true
                return channel.close()
            }.get()
        }
        try? await group.shutdownGracefully()
    }

    private static func connect(
        index: Int,
        connector: Connector,
        stats: StatsSet,
        channel: String,
        size: Int
    )
        -> EventLoopFuture<(any Channel, NIOLoopBound<RedisBenchHandler>)>
    {
        connector.connect(index: index) { ch in
            ch.eventLoop.makeCompletedFuture {
                let handler = RedisBenchHandler(stats: stats.stats(for: ch.eventLoop))
                handler.channelName = channel
                handler.size = size
                try ch.pipeline.syncOperations.addHandlers([ByteToMessageHandler(RESPItemDecoder()), handler])
            }
        }.flatMapThrowing { ch in
            let handler = try ch.pipeline.syncOperations.handler(type: RedisBenchHandler.self)
            handler.stats.counters.connected += 1
            return (ch, NIOLoopBound(handler, eventLoop: ch.eventLoop))
        }
    }
}
