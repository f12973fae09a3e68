// SPDX-License-Identifier: Apache-2.0
import NIOCore

/// How every bench sender behaves, against chatd and against Redis alike so the
/// baseline is fair: at most `limit` messages wait for their ack, as a real client
/// would hold them, and a beat is skipped (and counted) when that many wait or the
/// socket's buffer is full.
struct SendWindow {
    static let limit = 16
    private var inFlight = 0

    /// True when a message may go now; counts it as sent, or as skipped.
    mutating func admit(on channel: any Channel, counting counters: inout Counters) -> Bool {
        guard channel.isWritable, self.inFlight < Self.limit else {
            counters.skippedBackpressure += 1
            return false
        }
        self.inFlight += 1
        counters.sent += 1
        return true
    }

    /// An ack (or an error in its place) came back.
    mutating func acknowledged() {
        self.inFlight = max(0, self.inFlight - 1)
    }
}
