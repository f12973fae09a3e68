// SPDX-License-Identifier: Apache-2.0
/// Deterministic chunking of a fuzz input, so that every input is also fed to the
/// decoders the way TCP may deliver it: in pieces whose sizes depend on the bytes.
public struct Chunker {
    private var state: UInt64

    public init(_ bytes: UnsafeBufferPointer<UInt8>) {
        // FNV-1a of the input seeds a xorshift generator.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        self.state = hash | 1
    }

    /// The next chunk size, 1...64, small sizes most often.
    public mutating func next() -> Int {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        let r = Int(truncatingIfNeeded: state & 0xFF)
        return r < 128 ? 1 + r % 4 : 1 + r % 64
    }

    /// Cuts `count` bytes into consecutive ranges.
    public mutating func ranges(_ count: Int) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var start = 0
        while start < count {
            let end = Swift.min(count, start + self.next())
            out.append(start..<end)
            start = end
        }
        return out
    }
}

/// Stops the fuzzer with a message libFuzzer will keep alongside the crashing input.
public func check(
    _ condition: @autoclosure () -> Bool,
    _ message: @autoclosure () -> String,
    file: StaticString = #fileID,
    line: UInt = #line
) {
    if !condition() {
        fatalError("fuzz invariant violated: \(message())", file: file, line: line)
    }
}
