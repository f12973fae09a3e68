import NIOConcurrencyHelpers
import NIOCore

/// Writes to this node's logged-in sessions. Each event loop writes to its own
/// channels, through its `FlushBatcher`, in one pass per fan-out.
final class LocalDelivery: Sendable {
    let registry = SessionRegistry()
    /// One per event loop, made on first use.
    private let batchers = NIOLockedValueBox([ObjectIdentifier: FlushBatcher]())

    /// To every session but `except` and `exceptUser`'s.
    func deliver(_ frame: ByteBuffer, except: SessionID? = nil, exceptUser: Int? = nil) {
        let excludedByUser: Set<SessionID> = exceptUser.map { Set(self.registry.sessions(of: $0).map(\.id)) } ?? []
        for (loop, sessions) in self.registry.sessionsByLoop() where !sessions.isEmpty {
            let batcher = self.batcher(for: loop)
            loop.execute {
                for (id, session) in sessions where id != except && !excludedByUser.contains(id) {
                    batcher.write(frame, to: session.channel)
                }
            }
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
        for (loop, sessions) in self.registry.sessionsByLoop() where !sessions.isEmpty {
            let batcher = self.batcher(for: loop)
            loop.execute {
                for (id, session) in sessions {
                    let channel = session.channel
                    guard let range = own[id] else {
                        batcher.write(bytes, to: channel)
                        continue
                    }
                    if range.lowerBound > 0 {
                        batcher.write(bytes.getSlice(at: 0, length: range.lowerBound)!, to: channel)
                    }
                    if range.upperBound < bytes.writerIndex {
                        batcher.write(bytes.getSlice(at: range.upperBound, length: bytes.writerIndex - range.upperBound)!, to: channel)
                    }
                }
            }
        }
    }

    /// To every session of `user` but `except`; returns how many were written to.
    func send(_ frame: ByteBuffer, toUser user: Int, except: SessionID? = nil) -> Int {
        var count = 0
        for session in self.registry.sessions(of: user) where session.id != except {
            let channel = session.channel
            let batcher = self.batcher(for: channel.eventLoop)
            channel.eventLoop.execute { batcher.write(frame, to: channel) }
            count += 1
        }
        return count
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
