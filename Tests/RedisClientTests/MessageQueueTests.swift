// SPDX-License-Identifier: Apache-2.0
import NIOCore
import Testing

@testable import RedisClient

/// A subscription's backlog on its own: what it keeps, drops and hands over.
@Suite struct MessageQueueTests {
    func message(_ text: String) -> RedisMessage { RedisMessage(channel: "bus", payload: ByteBuffer(string: text)) }

    /// The bound counts bytes, not messages: many small ones fit where a large one
    /// needs the room of most of them.
    @Test func theBoundIsInBytes() async {
        let small = MessageQueue.cost(of: self.message("s"))
        let queue = MessageQueue(limit: 1000 * small)
        for _ in 1...900 { #expect(queue.push(self.message("s")) == 0) }
        let large = self.message(String(repeating: "L", count: 65536))
        let dropped = queue.push(large)
        let room = (1000 * small - MessageQueue.cost(of: large)) / small
        #expect(dropped == 900 - room)
        var smalls = 0
        queue.finish()
        while let next = await queue.next() {
            if next.string == "s" { smalls += 1 } else { #expect(next.payload.readableBytes == 65536) }
        }
        #expect(smalls == room)
    }

    @Test func aMessageLargerThanTheBoundIsStillDeliveredAlone() async {
        let queue = MessageQueue(limit: 100)
        queue.push(self.message("a"))
        #expect(queue.push(self.message(String(repeating: "x", count: 500))) == 1)
        queue.finish()
        #expect(await queue.next()?.payload.readableBytes == 500)
        #expect(await queue.next() == nil)
    }

    @Test func aWaitingReaderGetsTheMessageAndCancellingItEndsTheQueue() async {
        let queue = MessageQueue(limit: 1 << 20)
        let ended = AsyncStream.makeStream(of: Void.self)
        queue.onTermination { ended.continuation.finish() }
        let reader = Task { await queue.next() }
        // Waiting already or not yet, the reader gets it.
        queue.push(self.message("hello"))
        #expect(await reader.value?.string == "hello")
        let cancelled = Task { await queue.next() }
        cancelled.cancel()
        #expect(await cancelled.value == nil)
        for await _ in ended.stream {}
        #expect(queue.push(self.message("late")) == 0)
        #expect(await queue.next() == nil, "a terminated queue hands over nothing more")
    }
}
