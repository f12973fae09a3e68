// SPDX-License-Identifier: Apache-2.0
import NIOCore

/// Something that sends bench messages at the pacer's command, on its own loop.
protocol PacedSender: AnyObject {
    /// Messages sent (or skipped for backpressure) so far in this phase.
    var sentCount: Int { get set }
    /// Sends message number `sequence` and counts it in `sentCount`.
    func sendNext(sequence: Int)
}

/// Sends at a steady total rate: every tick each sender on the loop catches up to
/// `elapsed × rate per sender`, so any rate works with one timer per loop.
enum Pacer {
    static let tick = TimeAmount.milliseconds(2)
    /// At most this many messages per sender per tick, so a stalled loop does not burst.
    static let maxBurst = 50

    /// Runs until `duration` has passed; completes when every loop stopped sending.
    static func run(
        loops: [(any EventLoop, NIOLoopBound<[any PacedSender]>)],
        ratePerSender: Double,
        duration: TimeAmount
    ) -> [EventLoopFuture<Void>] {
        let start = NIODeadline.now()
        let end = start + duration
        return loops.map { loop, senders in
            let done = loop.makePromise(of: Void.self)
            loop.execute {
                for sender in senders.value { sender.sentCount = 0 }
            }
            loop.scheduleRepeatedTask(initialDelay: .zero, delay: tick) { task in
                let now = NIODeadline.now()
                let elapsed = Double(min(now, end).uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
                let due = Int(elapsed * ratePerSender)
                for sender in senders.value {
                    var burst = 0
                    while sender.sentCount < due, burst < maxBurst {
                        sender.sendNext(sequence: sender.sentCount)
                        burst += 1
                    }
                }
                if now >= end {
                    task.cancel()
                    done.succeed()
                }
            }
            return done.futureResult
        }
    }
}
