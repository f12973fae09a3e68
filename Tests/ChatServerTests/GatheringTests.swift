// SPDX-License-Identifier: Apache-2.0
import NIOCore
import NIOEmbedded
import Testing

@testable import ChatServer

/// What one event loop's gathering writes to each session at a flush: the order of
/// each session's frames, and broadcasts written once for all, not copied per session.
@Suite struct GatheringTests {
    let loop = EmbeddedEventLoop()

    func session(_ name: String) -> SessionInfo {
        SessionInfo(
            id: SessionID(rawValue: name),
            user: UserIdentity(id: 1, username: name),
            peer: "test",
            connectedAt: 0,
            stats: SessionStats(now: 0),
            channel: EmbeddedChannel(loop: self.loop)
        )
    }

    func group(_ sessions: [SessionInfo], generation: UInt64) -> LoopSessions {
        LoopSessions(
            loop: self.loop,
            generation: generation,
            sessions: Dictionary(uniqueKeysWithValues: sessions.map { ($0.id, $0) })
        )
    }

    func bytes(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

    /// Drains `gathering`: what each session's channel was handed, and how many writes.
    func drain(
        _ gathering: inout Gathering,
        _ sessions: [SessionInfo]
    ) -> (text: [String: String], writes: [String: Int], buffers: [String: ByteBuffer]) {
        var text: [String: String] = [:]
        var writes: [String: Int] = [:]
        var buffers: [String: ByteBuffer] = [:]
        let names = Dictionary(uniqueKeysWithValues: sessions.map { (ObjectIdentifier($0.channel), $0.id.rawValue) })
        gathering.drain { channel, buffer in
            let name = names[ObjectIdentifier(channel)]!
            text[name, default: ""] += String(buffer: buffer)
            writes[name, default: 0] += 1
            buffers[name] = buffer
        }
        return (text, writes, buffers)
    }

    @Test func everyRecipientIsWrittenTheSameBytesOnce() {
        let all = ["a", "b", "c"].map(self.session)
        var gathering = Gathering()
        gathering.broadcast(self.bytes("1;"), to: self.group(all, generation: 1), except: [])
        gathering.broadcast(self.bytes("2;"), to: self.group(all, generation: 1), except: [])
        let out = self.drain(&gathering, all)
        #expect(out.text == ["a": "1;2;", "b": "1;2;", "c": "1;2;"])
        #expect(out.writes == ["a": 1, "b": 1, "c": 1])
        // One buffer shared by all: the same memory, not a copy per session.
        let addresses = Set(out.buffers.values.map { $0.withUnsafeReadableBytes { Int(bitPattern: $0.baseAddress) } })
        #expect(addresses.count == 1)
        #expect(gathering.isEmpty)
    }

    @Test func aSenderLeftOutOfItsOwnMessageGetsTheOthersInOrder() {
        let all = ["a", "b"].map(self.session)
        var gathering = Gathering()
        let group = self.group(all, generation: 1)
        gathering.broadcast(self.bytes("1;"), to: group, except: [SessionID(rawValue: "a")])
        gathering.broadcast(self.bytes("2;"), to: group, except: [SessionID(rawValue: "b")])
        gathering.broadcast(
            self.bytes("3;"),
            to: group,
            except: [SessionID(rawValue: "a"), SessionID(rawValue: "nobody")]
        )
        let out = self.drain(&gathering, all)
        #expect(out.text == ["a": "2;", "b": "1;3;"])
        #expect(out.writes == ["a": 1, "b": 1])
    }

    @Test func aSessionsOwnFramesKeepTheirPlaceAmongBroadcasts() {
        let all = ["a", "b"].map(self.session)
        var gathering = Gathering()
        gathering.write(self.bytes("p0;"), to: all[0])
        gathering.broadcast(self.bytes("1;"), to: self.group(all, generation: 1), except: [])
        gathering.write(self.bytes("p1;"), to: all[0])
        gathering.write(self.bytes("p2;"), to: all[0])
        gathering.broadcast(self.bytes("2;"), to: self.group(all, generation: 1), except: [])
        gathering.write(self.bytes("q;"), to: all[1])
        let out = self.drain(&gathering, all)
        #expect(out.text == ["a": "p0;1;p1;p2;2;", "b": "1;2;q;"])
        #expect(out.writes == ["a": 1, "b": 1])
    }

    @Test func aNewcomerGetsOnlyWhatFollowsItsLoginAndOneWhoLeftWhatItWasOwed() {
        let (a, b, c) = (self.session("a"), self.session("b"), self.session("c"))
        var gathering = Gathering()
        gathering.broadcast(self.bytes("1;"), to: self.group([a, b], generation: 1), except: [])
        gathering.broadcast(self.bytes("2;"), to: self.group([a, b, c], generation: 2), except: [])
        gathering.broadcast(self.bytes("3;"), to: self.group([a, c], generation: 3), except: [])
        let out = self.drain(&gathering, [a, b, c])
        #expect(out.text["a"] == "1;2;3;")
        #expect(out.text["c"] == "2;3;")
        // Its channel is closing; what it may be written after it left does not matter.
        #expect(out.text["b"]?.hasPrefix("1;2;") == true)
    }

    /// Two threads' fan-outs may reach the loop with their snapshots in either order.
    @Test func snapshotsArrivingOutOfOrderLoseNoFrame() {
        let (a, b, c) = (self.session("a"), self.session("b"), self.session("c"))
        var gathering = Gathering()
        gathering.broadcast(self.bytes("new;"), to: self.group([a, b, c], generation: 6), except: [])
        gathering.broadcast(self.bytes("old;"), to: self.group([a, b], generation: 5), except: [])
        let out = self.drain(&gathering, [a, b, c])
        #expect(out.text["a"] == "new;old;")
        #expect(out.text["b"] == "new;old;")
        #expect(out.text["c"]?.hasPrefix("new;") == true)
    }

    @Test func aFrameToOneSessionAloneIsWrittenAsItIs() {
        let all = ["a", "b"].map(self.session)
        var gathering = Gathering()
        gathering.write(self.bytes("only;"), to: all[1])
        let out = self.drain(&gathering, all)
        #expect(out.text == ["b": "only;"])
    }
}
