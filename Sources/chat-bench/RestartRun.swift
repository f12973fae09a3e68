// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import NIOCore

/// The restart scenario on a logged-in fleet: numbered group messages at a steady
/// rate, the restart command after the warm-up, optionally the reconnect storm of the
/// sessions it dropped, then the server's history says which messages were stored and
/// each session's tracker what it got.
struct RestartRun {
    let fleet: Fleet
    let traffic: TrafficOptions
    let command: String
    let warmup: Double
    let reconnect: Bool
    let reconnectWindow: Int

    /// Returns the sessions still open (stayed or reconnected) and the command's exit status.
    func run(_ sessions: [ChatSession]) async throws -> (alive: [ChatSession], status: Int32) {
        let fleet = self.fleet
        var tokens: [Int: String] = [:]
        for session in sessions {
            if let token = try await session.token().get() { tokens[session.userID] = token }
        }

        fleet.progress.enter("quiesce")
        try await fleet.stats.quiesce(limit: max(self.traffic.drain, 5))
        try await fleet.stats.resetTraffic()
        let runStart = Clock.nanoseconds()
        _ = await windowed(sessions.count, window: 4096) { i in
            sessions[i].withHandler { $0.tracker = RestartTracker(stats: $0.stats, runStartNs: runStart) }
        }
        let senders = spread(sessions, count: self.traffic.senders)
        var senderOf: [Int: Int] = [:]
        for (k, sender) in senders.enumerated() {
            senderOf[sender.index] = k
            let (size, count) = (self.traffic.size, senders.count)
            try await sender.withHandler { $0.traffic = .numbered(size: size, sender: k, senders: count) }.get()
        }
        let loops = try await pacedLoops(
            senders.map { sender in
                let handler = sender.handlerOnLoop
                return PacedHandle(loop: sender.channel.eventLoop) { handler.value }
            }
        )

        fleet.progress.enter(
            "traffic \(self.traffic.rate) msg/s for \(self.traffic.duration) s, restart after \(self.warmup) s"
        )
        let paced = Pacer.run(
            loops: loops,
            ratePerSender: self.traffic.rate / Double(senders.count),
            duration: .nanoseconds(Int64(self.traffic.duration * 1e9))
        )
        try await Task.sleep(for: .seconds(self.warmup))

        fleet.progress.enter("restart: \(self.command)")
        let restartStart = Clock.nanoseconds()
        try await fleet.stats.markRestart(start: restartStart, returned: nil)
        let outcome = try await RestartCommand.run(self.command)
        let restartReturn = Clock.nanoseconds()
        try await fleet.stats.markRestart(start: nil, returned: restartReturn)
        fleet.progress.say("restart command exit \(outcome.status) after \(String(format: "%.3f", outcome.seconds)) s")
        // Each sender sends one message now, so the pause is measured to the command's
        // return, not to the next beat of a slow rate.
        for sender in senders {
            try await sender.withHandler { handler in
                handler.resetSendWindow()
                handler.sendNext(sequence: handler.sentCount)
            }.get()
        }

        var back: [ChatSession] = []
        if self.reconnect {
            let dropped = sessions.filter { !$0.channel.isActive }.map(\.index)
            fleet.progress.enter("reconnect \(dropped.count)")
            back = await self.reconnectAll(dropped, tokens: tokens, runStart: runStart)
            fleet.report.reconnectSeconds = Clock.seconds(since: restartStart)
            fleet.report.reconnected = back.count
            fleet.report.reconnectAuth = tokens.isEmpty ? "password" : "token"
        }

        for future in paced { try await future.get() }
        fleet.progress.enter("drain (up to \(self.traffic.drain) s)")
        try await fleet.stats.quiesce(limit: self.traffic.drain)

        let stayed = sessions.filter(\.channel.isActive)
        let stored = try await self.storedIDs(asking: stayed.first ?? back.first, runStart: runStart)
        var report = fleet.report
        report.restartCommand = self.command
        report.restartExitStatus = Int(outcome.status)
        report.restartCommandSeconds = outcome.seconds
        report.senders = senders.count
        report.recipientsPerMessage = sessions.count - 1
        report.offeredRate = self.traffic.rate
        report.durationSeconds = self.traffic.duration
        report.messageBytes = self.traffic.size
        let snapshot = try await fleet.stats.snapshot()
        report.sent = snapshot.counters.sent
        report.skippedBackpressure = snapshot.counters.skippedBackpressure
        report.acked = snapshot.counters.acked
        report.delivered = snapshot.counters.delivered
        report.add(latency: snapshot.latency)
        let windows = try await fleet.stats.restartLatency()
        report.latencySentBeforeRestart = Report.Percentiles(windows[0])
        report.latencySentDuringRestart = Report.Percentiles(windows[1])
        report.latencySentAfterRestart = Report.Percentiles(windows[2])

        let first = try await self.snapshots(of: sessions)
        let again = try await self.snapshots(of: back)
        report.disconnected = first.values.filter { $0.closedNs != nil }.count
        report.kicked = first.values.filter(\.kicked).count
        report.stayedConnected = stayed.count
        report.duplicates = (first.values.map(\.duplicates) + again.values.map(\.duplicates)).reduce(0, +)
        report.receivedOffline = (first.values.map(\.offline) + again.values.map(\.offline)).reduce(0, +)

        var pauses: [UInt64] = []
        for session in stayed {
            if let served = first[session.index]?.servedAgainNs { pauses.append(served - restartStart) }
        }
        pauses.sort()
        report.notServedAgain = stayed.count - pauses.count
        if let last = pauses.last {
            report.restartPauseSeconds = Double(last) / 1e9
            report.restartPauseP50Seconds = Double(pauses[(pauses.count - 1) / 2]) / 1e9
        }

        if let stored {
            report.messagesStored = stored.count
            // What a session should have: every stored message but its own.
            func lost(_ index: Int, _ received: IDSet) -> Int {
                let own = senderOf[index]
                return stored.filter { (own == nil || $0 % senders.count != own!) && !received.contains($0) }.count
            }
            report.lostStayed = stayed.reduce(0) { $0 + lost($1.index, first[$1.index]?.received ?? IDSet()) }
            if self.reconnect {
                report.lostReconnected = back.reduce(0) { sum, session in
                    var received = first[session.index]?.received ?? IDSet()
                    received.formUnion(again[session.index]?.received ?? IDSet())
                    return sum + lost(session.index, received)
                }
            }
        }
        fleet.report = report
        return (stayed + back, outcome.status)
    }

    private func snapshots(of sessions: [ChatSession]) async throws -> [Int: RestartTracker.Snapshot] {
        var all: [Int: RestartTracker.Snapshot] = [:]
        for session in sessions {
            if let snapshot = try await session.withHandler({ $0.tracker?.snapshot }).get() {
                all[session.index] = snapshot
            }
        }
        return all
    }

    /// Ids of this run's messages in the group history, paged back to the run's start;
    /// nil when no session is left to ask or the history cannot be read.
    private func storedIDs(asking session: ChatSession?, runStart: UInt64) async throws -> [Int]? {
        guard let session else {
            self.fleet.progress.say("no session left to read the history with: messages stored and lost not counted")
            return nil
        }
        var ids: [Int] = []
        var before: String?
        while true {
            let frame = try await session.history(before: before, limit: 200, timeout: self.fleet.timeout).get()
            guard case .history(let page) = try ServerMessage.decode(frame), page.code == StatusCode.ok else {
                self.fleet.progress.say("the history could not be read: messages stored and lost not counted")
                return nil
            }
            var reachedStart = false
            for record in page.messages {
                guard let (sent, id) = FrameScan.benchMessage(in: ByteBuffer(string: record.content)) else { continue }
                if sent < runStart {
                    reachedStart = true
                } else {
                    ids.append(id)
                }
            }
            guard page.more, !reachedStart, let oldest = page.messages.last?.id else { return ids }
            before = oldest
        }
    }

    /// Connects and logs each dropped session in again, retrying every 100 ms (while the
    /// server is down its port refuses) until `--request-timeout` after the command returned.
    /// A token refused once is not sent again: the password is.
    private func reconnectAll(_ indices: [Int], tokens: [Int: String], runStart: UInt64) async -> [ChatSession] {
        let fleet = self.fleet
        let (connector, stats, base) = (fleet.connector, fleet.stats, fleet.options.userBase)
        let (password, timeout) = (fleet.options.password, fleet.timeout)
        let deadline = NIODeadline.now() + timeout
        @Sendable func attempt(_ index: Int, token: String?) -> EventLoopFuture<ChatSession> {
            ChatSession.connect(index: index, userID: base + index, connector: connector, stats: stats).flatMap {
                session in
                session.withHandler { $0.tracker = RestartTracker(stats: $0.stats, runStartNs: runStart) }.flatMap {
                    session.login(password: password, token: token, timeout: timeout)
                }.flatMapThrowing { reply in
                    guard reply.code == 200 else { throw Refused() }
                    return session
                }.flatMapError { error in
                    session.close().recover { _ in }.flatMapThrowing { throw error }
                }
            }.flatMapError { error in
                let loop = connector.group.next()
                guard NIODeadline.now() < deadline else { return loop.makeFailedFuture(error) }
                return loop.scheduleTask(in: .milliseconds(100)) {}.futureResult.flatMap {
                    attempt(index, token: error is Refused ? nil : token)
                }
            }
        }
        let results = await windowed(indices.count, window: self.reconnectWindow) { i in
            attempt(indices[i], token: tokens[base + indices[i]])
        }
        return results.compactMap { try? $0.get() }
    }

    private struct Refused: Error {}
}
