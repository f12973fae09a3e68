// SPDX-License-Identifier: Apache-2.0
import NIOConcurrencyHelpers
import NIOCore

/// Writes to this node's logged-in sessions. Each event loop writes to its own
/// channels, through its `FlushBatcher`, in one pass per fan-out.
final class LocalDelivery: Sendable {
    let registry = SessionRegistry()
    /// One per event loop, made on first use.
    private let batchers = NIOLockedValueBox([ObjectIdentifier: FlushBatcher]())

    /// Writes what every loop has gathered, once the fan-outs already handed to the loops
    /// have run (a loop runs its tasks in order).
    func flushPending() async {
        let batchers = self.batchers.withLockedValue { Array($0.values) }
        for batcher in batchers {
            try? await batcher.loop.submit { batcher.flushNow() }.get()
        }
    }

    /// To every session but `except` and `exceptUser`'s.
    func deliver(_ frame: ByteBuffer, except: SessionID? = nil, exceptUser: Int? = nil) {
        var excluded = exceptUser.map { self.registry.sessions(of: $0).map(\.id) } ?? []
        if let except { excluded.append(except) }
        let groups = self.registry.sessionsByLoop()
        ServerMetrics.delivered(groups.reduce(0) { $0 + $1.sessions.count } - excluded.count, .group)
        for group in groups where !group.sessions.isEmpty {
            let batcher = self.batcher(for: group.loop)
            group.loop.execute { [excluded] in batcher.broadcast(frame, to: group, except: excluded) }
        }
    }

    /// A batch of presence notices to every session; a user's own sessions get the
    /// batch without their own notice.
    func deliver(_ batch: PresenceBatcher.Batch) {
        var ownNotice: [SessionID: Range<Int>] = [:]
        for (user, range) in batch.ranges {
            for session in self.registry.sessions(of: user) { ownNotice[session.id] = range }
        }
        let own = ownNotice
        let bytes = batch.bytes
        let groups = self.registry.sessionsByLoop()
        ServerMetrics.delivered(groups.reduce(0) { $0 + $1.sessions.count } * batch.ranges.count, .presence)
        for group in groups where !group.sessions.isEmpty {
            let batcher = self.batcher(for: group.loop)
            group.loop.execute {
                let here = own.filter { group.sessions[$0.key] != nil }
                batcher.broadcast(bytes, to: group, except: Array(here.keys))
                for (id, range) in here {
                    let session = group.sessions[id]!
                    if range.lowerBound > 0 {
                        batcher.write(bytes.getSlice(at: 0, length: range.lowerBound)!, to: session)
                    }
                    if range.upperBound < bytes.writerIndex {
                        batcher.write(
                            bytes.getSlice(at: range.upperBound, length: bytes.writerIndex - range.upperBound)!,
                            to: session
                        )
                    }
                }
            }
        }
    }

    /// To every session of `user` but `except`; returns how many were written to.
    func send(_ frame: ByteBuffer, toUser user: Int, except: SessionID? = nil) -> Int {
        var count = 0
        for session in self.registry.sessions(of: user) where session.id != except {
            let loop = session.channel.eventLoop
            let batcher = self.batcher(for: loop)
            loop.execute { batcher.write(frame, to: session) }
            count += 1
        }
        ServerMetrics.delivered(count, .private)
        return count
    }

    /// On `loop` only: writes what is gathered for its sessions now.
    func flushGathered(on loop: any EventLoop) {
        self.batcher(for: loop).flushNow()
    }

    private func batcher(for loop: any EventLoop) -> FlushBatcher {
        self.batchers.withLockedValue { batchers in
            if let batcher = batchers[ObjectIdentifier(loop)] { return batcher }
            let batcher = FlushBatcher(loop: loop)
            batchers[ObjectIdentifier(loop)] = batcher
            return batcher
        }
    }
}
