// SPDX-License-Identifier: Apache-2.0
import NIOCore
import NIOEmbedded
import Testing

@testable import ChatServer

/// What a session holds for its client while the login is in flight.
@Suite struct HeldFramesTests {
    func frame(_ size: Int) -> NIOAny { NIOAny(ByteBuffer(repeating: UInt8(ascii: "x"), count: size)) }

    /// Bounded by bytes: many small frames fit where a few large ones do not, and the
    /// frame that would pass the bound is refused (the session is then closed as a
    /// slow consumer) with everything held so far kept in order.
    @Test func theBoundIsInBytes() {
        var held = HeldFrames(limit: 256 * 1024)
        for _ in 1...4096 {
            let kept = held.hold(self.frame(64), size: 64, promise: nil)
            #expect(kept)
        }
        #expect(held.bytes == 4096 * 64)
        let overflowed = !held.hold(self.frame(1), size: 1, promise: nil)
        #expect(overflowed)
        #expect(held.frames.count == 4096)

        var large = HeldFrames(limit: 256 * 1024)
        for _ in 1...3 {
            let kept = large.hold(self.frame(65536), size: 65536, promise: nil)
            #expect(kept)
        }
        let tooLarge = !large.hold(self.frame(65537), size: 65537, promise: nil)
        #expect(tooLarge)
        let exactly = large.hold(self.frame(65536), size: 65536, promise: nil)
        #expect(exactly, "exactly the bound still fits")
        #expect(large.frames.count == 4)
    }

    @Test func takingAllEmptiesItInOrder() throws {
        let loop = EmbeddedEventLoop()
        var held = HeldFrames(limit: 100)
        let promise = loop.makePromise(of: Void.self)
        let first = held.hold(self.frame(10), size: 10, promise: promise)
        let second = held.hold(self.frame(20), size: 20, promise: nil)
        #expect(first && second)
        let taken = held.takeAll()
        #expect(taken.map { SessionHandler.unwrapOutboundIn($0.data).readableBytes } == [10, 20])
        #expect(taken.first?.promise?.futureResult === promise.futureResult)
        #expect(held.isEmpty && held.bytes == 0)
        let full = held.hold(self.frame(100), size: 100, promise: nil)
        #expect(full, "the whole bound is free again")
        promise.succeed(())
    }
}
