// SPDX-License-Identifier: Apache-2.0
import NIOCore

/// The process-local monotonic clock every timestamp in the bench uses; messages
/// carry it, so latency is measured by the receiving client in the same process.
enum Clock {
    static func nanoseconds() -> UInt64 { NIODeadline.now().uptimeNanoseconds }

    static func seconds(since start: UInt64) -> Double {
        Double(nanoseconds() &- start) / 1e9
    }
}
