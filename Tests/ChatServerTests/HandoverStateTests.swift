// SPDX-License-Identifier: Apache-2.0

import Foundation
import NIOCore
import Testing

@testable import ChatServer

#if canImport(Glibc)
import Glibc
#endif

/// The state an orderly stop leaves for the next process: read back whole, and anything
/// else (another layout, a cut-off file) read as none, so the next process re-checks the
/// sessions as after a crash instead of trusting half a state.
@Suite struct HandoverStateTests {
    private static func sample() -> HandoverState {
        var state = HandoverState(node: "0123456789ab")
        state.sessions[1001] = .init(unfinished: nil, received: 3, sent: 7)
        state.sessions[1002] = .init(unfinished: Array("{\"type\":\"SmsMes\",\"da".utf8), received: 0, sent: 1 << 40)
        state.sessions[UInt64.max] = .init(unfinished: [], received: 1, sent: 0)
        state.departing = [42: "anna ✓ 安娜", 7: ""]
        return state
    }

    @Test func whatOneProcessLeavesTheNextReadsBack() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("handover-\(UUID().uuidString)").path
        let fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0o600)
        unlink(path)
        try #require(fd >= 0)
        defer { close(fd) }
        try Self.sample().write(to: fd)
        #expect(HandoverState.read(from: fd) == Self.sample())
    }

    @Test func aStateThatIsNotWholeReadsAsNone() {
        let bytes = Array(Self.sample().encoded().readableBytesView)
        // Every cut, one byte more, and an older chatd's JSON state.
        for length in 0..<bytes.count {
            #expect(HandoverState(decoding: ByteBuffer(bytes: bytes.prefix(length))) == nil, "cut at \(length)")
        }
        #expect(HandoverState(decoding: ByteBuffer(bytes: bytes + [0])) == nil)
        #expect(HandoverState(decoding: ByteBuffer(string: #"{"node":"0123456789ab","sessions":{}}"#)) == nil)
    }
}
