// SPDX-License-Identifier: Apache-2.0
import NIOCore

/// Bench messages that carry an id after the send time (`bench:<ns>;#<id>;…`), so the
/// restart scenario can say which messages a session got, lost or got twice.
extension Payload {
    static func content(sentAt ns: UInt64, id: Int, size: Int) -> String {
        var text = marker + String(ns) + ";#" + String(id) + ";"
        if text.utf8.count < size { text += String(repeating: "x", count: size - text.utf8.count) }
        return text
    }
}

extension FrameScan {
    private static let stamp = Array(Payload.marker.utf8)
    private static let idSeparator = Array(";#".utf8)

    /// Send time and id of the first bench message in `body`, or nil.
    static func benchMessage(in body: ByteBuffer) -> (sentNs: UInt64, id: Int)? {
        body.withUnsafeReadableBytes { bytes in
            guard let at = firstIndex(of: stamp, in: bytes) else { return nil }
            return parse(bytes, at: at + stamp.count)?.message
        }
    }

    /// Every bench message in `body` (an OfflineMes or HistoryResMes holds many).
    static func benchMessages(in body: ByteBuffer) -> [(sentNs: UInt64, id: Int)] {
        body.withUnsafeReadableBytes { bytes in
            var found: [(sentNs: UInt64, id: Int)] = []
            var from = 0
            while from < bytes.count,
                let at = firstIndex(of: stamp, in: UnsafeRawBufferPointer(rebasing: bytes[from...]))
            {
                let start = from + at + stamp.count
                guard let (message, end) = parse(bytes, at: start) else {
                    from = start
                    continue
                }
                found.append(message)
                from = end
            }
            return found
        }
    }

    /// `<ns>;#<id>` at `start`: the message and where its id ends.
    private static func parse(
        _ bytes: UnsafeRawBufferPointer,
        at start: Int
    ) -> (message: (sentNs: UInt64, id: Int), end: Int)? {
        var i = start
        while i < bytes.count, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") { i += 1 }
        guard i > start, let sent = integer(in: bytes, from: start), i + idSeparator.count <= bytes.count,
            bytes[i] == idSeparator[0], bytes[i + 1] == idSeparator[1]
        else { return nil }
        let idStart = i + idSeparator.count
        guard let id = integer(in: bytes, from: idStart), id < UInt64(Int.max) else { return nil }
        var end = idStart
        while end < bytes.count, bytes[end] >= UInt8(ascii: "0"), bytes[end] <= UInt8(ascii: "9") { end += 1 }
        return ((sent, Int(id)), end)
    }
}
