// SPDX-License-Identifier: Apache-2.0
/// Cuts a byte stream into lines (for stdin when it is not a terminal). Accepts
/// "\n" and "\r\n"; a last line without a newline is returned by `finish()`.
public struct LineSplitter: Sendable {
    private var pending: [UInt8] = []

    public init() {}

    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [String] {
        var lines: [String] = []
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                if self.pending.last == UInt8(ascii: "\r") { self.pending.removeLast() }
                lines.append(String(decoding: self.pending, as: UTF8.self))
                self.pending.removeAll(keepingCapacity: true)
            } else {
                self.pending.append(byte)
            }
        }
        return lines
    }

    public mutating func finish() -> String? {
        defer { self.pending.removeAll() }
        return self.pending.isEmpty ? nil : String(decoding: self.pending, as: UTF8.self)
    }
}
