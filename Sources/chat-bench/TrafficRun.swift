// SPDX-License-Identifier: Apache-2.0
import NIOCore

/// Paces the senders for `traffic.duration`, waits for `recipients` deliveries of
/// each message sent (or the drain time), and writes the figures into `report`.
func runPacedTraffic(
    loops: [(any EventLoop, NIOLoopBound<[any PacedSender]>)],
    senderCount: Int,
    recipients: Int,
    traffic: TrafficOptions,
    stats: StatsSet,
    progress: Progress,
    report: inout Report
) async throws {
    progress.enter("quiesce")
    try await stats.quiesce(limit: max(traffic.drain, 5))
    try await stats.resetTraffic()
    progress.enter("traffic \(traffic.rate) msg/s for \(traffic.duration) s")
    let start = Clock.nanoseconds()
    let paced = Pacer.run(
        loops: loops,
        ratePerSender: traffic.rate / Double(senderCount),
        duration: .nanoseconds(Int64(traffic.duration * 1e9))
    )
    for future in paced { try await future.get() }

    progress.enter("drain (up to \(traffic.drain) s)")
    let drainEnd = Clock.nanoseconds() + UInt64(traffic.drain * 1e9)
    var counters = try await stats.counters()
    while Clock.nanoseconds() < drainEnd,
        counters.delivered < counters.sent * recipients || counters.acked + counters.ackFailures < counters.sent
    {
        try await Task.sleep(for: .milliseconds(50))
        counters = try await stats.counters()
    }
    let snapshot = try await stats.snapshot()
    let c = snapshot.counters
    let end = c.lastDeliveryNs > start ? c.lastDeliveryNs : Clock.nanoseconds()
    report.senders = senderCount
    report.recipientsPerMessage = recipients
    report.offeredRate = traffic.rate
    report.durationSeconds = traffic.duration
    report.messageBytes = traffic.size
    report.sent = c.sent
    report.skippedBackpressure = c.skippedBackpressure
    report.acked = c.acked
    report.expectedDeliveries = c.sent * recipients
    report.delivered = c.delivered
    report.deliveriesPerSecond = Double(c.delivered) / (Double(end - start) / 1e9)
    report.add(latency: snapshot.latency)
}

/// A sender as the pacer reaches it: its loop, and how to get it there.
struct PacedHandle: Sendable {
    let loop: any EventLoop
    let get: @Sendable () -> any PacedSender
}

/// Senders grouped by their event loop, as the pacer wants them.
func pacedLoops(_ handles: [PacedHandle]) async throws -> [(any EventLoop, NIOLoopBound<[any PacedSender]>)] {
    var byLoop: [ObjectIdentifier: (any EventLoop, [PacedHandle])] = [:]
    for handle in handles {
        byLoop[ObjectIdentifier(handle.loop), default: (handle.loop, [])].1.append(handle)
    }
    var loops: [(any EventLoop, NIOLoopBound<[any PacedSender]>)] = []
    for (loop, group) in byLoop.values {
        let senders = try await loop.submit {
            NIOLoopBound<[any PacedSender]>(group.map { $0.get() }, eventLoop: loop)
        }.get()
        loops.append((loop, senders))
    }
    return loops
}
