// SPDX-License-Identifier: Apache-2.0

import ChatProtocol
import NIOConcurrencyHelpers
import NIOCore
import Testing

@testable import ChatServer

/// Notices batched per interval: a change undone within it is silent, unless a session
/// logged in meanwhile and was shown the state in between.
@Suite struct PresenceBatcherTests {
    /// The batch handed over at the end of the next interval, as decoded notices.
    private static func nextBatch(_ record: (PresenceBatcher) -> Void) async -> [NotifyUserStatusMes] {
        let (batches, continuation) = AsyncStream<PresenceBatcher.Batch>.makeStream()
        let batcher = PresenceBatcher { continuation.yield($0) }
        let running = Task { await batcher.run() }
        defer { running.cancel() }
        record(batcher)
        // A change that flips back leaves nothing to hand over: a marker change ends the wait.
        batcher.record(UserIdentity(id: 999, username: "marker"), online: true)
        var iterator = batches.makeAsyncIterator()
        guard var bytes = await iterator.next()?.bytes else { return [] }
        var notices: [NotifyUserStatusMes] = []
        var decoder = FrameDecoder()
        while let frame = try? decoder.decode(buffer: &bytes), let message = try? ServerMessage.decode(frame),
            case .notifyUserStatus(let notice) = message, notice.userid != 999
        {
            notices.append(notice)
        }
        return notices
    }

    @Test func aChangeUndoneWithinTheIntervalIsSilent() async {
        let ann = UserIdentity(id: 1, username: "ann")
        let notices = await Self.nextBatch { batcher in
            batcher.record(ann, online: true)
            batcher.record(ann, online: false)
        }
        #expect(notices.isEmpty)
    }

    @Test func aLoginBetweenTheChangesHearsTheFinalState() async {
        let ann = UserIdentity(id: 1, username: "ann")
        let notices = await Self.nextBatch { batcher in
            batcher.record(ann, online: true)
            batcher.noteLogin()  // bob's login reply lists ann online
            batcher.record(ann, online: false)
        }
        #expect(notices.map(\.userid) == [1])
        #expect(notices.first?.status == UserStatus.offline)
    }
}
