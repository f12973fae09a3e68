// SPDX-License-Identifier: Apache-2.0
import ChatStore
import NIOCore
import ServiceLifecycle

extension ChatServer: Service {
    /// Waits for Redis, joins the other nodes, takes over the previous process's
    /// sessions, serves, and runs the server's loops (bus and heartbeat, idle sweeps,
    /// presence batches, presence graces) until a graceful shutdown; then hands the
    /// sessions on (or drains them) and leaves the cluster.
    public func run() async throws {
        try await cancelWhenGracefulShutdown { try await self.waitForRedis() }
        guard !Task.isCancelled, !Task.isShuttingDownGracefully else { return }
        // Hear the other nodes (if any) before serving anyone.
        let bus = try await self.cluster.join()
        // The previous process's users, before anyone new: they never left.
        let adopting = ContinuousClock.now
        let adoption = await self.adopt()
        await self.cluster.beatOnce()
        ServerMetrics.tookOver(adoption)
        if adoption.total > 0 {
            // How long the takeover took, for what a restart's pause is made of.
            self.logger.notice(
                "sessions taken over from the previous process",
                metadata: [
                    "chat_event": "handover", "resumed": "\(adoption.resumed)", "rechecked": "\(adoption.rechecked)",
                    "closed": "\(adoption.closed)", "duration_ms": "\((ContinuousClock.now - adopting).millis)",
                ]
            )
        }
        let chat = try await self.listen(self.listeners.chat)
        var tls: (any Channel)?
        if let listener = self.listeners.tls {
            tls = try await self.listen(listener.source, tls: listener.context)
        }
        await self.cluster.advertise(address: chat.localAddress.map { "\($0.ipAddress ?? "?"):\($0.port ?? 0)" } ?? "?")
        var addresses = ["chat_listen": chat.localAddress.map { "\($0)" } ?? "?"]
        if let tls { addresses["tls_listen"] = tls.localAddress.map { "\($0)" } ?? "?" }
        self.resumeReading(adoption)
        self.readiness?.ready("chat", addresses: addresses)

        await withDiscardingTaskGroup { loops in
            loops.addTask { await self.cluster.run(bus: bus) }
            loops.addTask { await self.idleSweeper.run() }
            loops.addTask { await self.hub.presence.run() }
            loops.addTask { await self.hub.departures.run { await self.router.graceEnded($0) } }
            try? await gracefulShutdown()
            // Before the bus and heartbeat stop: a node that hands over does not leave.
            if self.canHandOver { self.beginHandover() }
            loops.cancelAll()
        }

        try? await chat.close()
        try? await tls?.close()
        if self.canHandOver {
            // Every stop hands over: systemd keeps the sockets for a restart and closes
            // them when the service stays stopped.
            self.logger.info("shutting down: handing sessions over")
            let handing = ContinuousClock.now
            let summary = await self.handOver()
            self.logger.notice(
                "sessions handed over",
                metadata: [
                    "chat_event": "handover", "kept": "\(summary.kept)", "closed": "\(summary.closed)",
                    "duration_ms": "\((ContinuousClock.now - handing).millis)",
                ]
            )
        } else {
            self.logger.info("shutting down: draining sessions")
            let timeout = self.configuration.current.shutdownTimeout
            await self.drain(deadline: .now() + .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000))
            await self.cluster.leave()
        }
    }

    /// Serving without a store would refuse every login: chat waits until Redis answers.
    private func waitForRedis() async throws {
        var delay = Duration.milliseconds(100)
        var warned = false
        while true {
            do {
                try await self.store.ping()
                if warned { self.logger.info("Redis answered") }
                return
            } catch {
                if !warned {
                    self.logger.warning("waiting for Redis", metadata: ["error": "\(error)"])
                    warned = true
                }
            }
            try await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(5))
        }
    }
}
