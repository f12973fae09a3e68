// SPDX-License-Identifier: Apache-2.0
import NIOCore

/// Frames from fan-out that arrive while a session's login is in flight: the client
/// must see its LoginResMes first, so they wait and leave right after it. Bounded by
/// bytes, like everything else waiting for a client (`outbound_queue_max`): a count
/// bound would let a few thousand large frames through.
struct HeldFrames {
    let limit: Int
    private(set) var frames: [(data: NIOAny, promise: EventLoopPromise<Void>?)] = []
    private(set) var bytes = 0

    init(limit: Int) {
        self.limit = limit
    }

    /// False, holding nothing, when `size` more bytes would pass `limit`: the
    /// session is then a slow consumer.
    mutating func hold(_ data: NIOAny, size: Int, promise: EventLoopPromise<Void>?) -> Bool {
        guard self.bytes + size <= self.limit else { return false }
        self.frames.append((data, promise))
        self.bytes += size
        return true
    }

    /// Everything held, oldest first; none is held afterwards (and no buffer kept).
    mutating func takeAll() -> [(data: NIOAny, promise: EventLoopPromise<Void>?)] {
        defer {
            self.frames = []
            self.bytes = 0
        }
        return self.frames
    }

    var isEmpty: Bool { self.frames.isEmpty }
}
