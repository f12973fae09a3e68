// SPDX-License-Identifier: Apache-2.0
import FuzzSupport
import NIOCore
import RedisClient

/// Arbitrary bytes as a Redis reply stream, parsed with `RESPParser`.
///
/// Asserts: `parse` returns a value (and consumes bytes) or `.needMoreData` (and
/// consumes nothing) or throws `RedisError.protocolViolation`, never traps or hangs;
/// the values and the verdict are the same whether the bytes arrive at once or in
/// pieces; every parsed value, encoded with `RESPEncoder.write`, parses back to an
/// equal value consuming exactly its encoding, and every strict prefix of that
/// encoding asks for more data. Each value is also read as a `CLUSTER SLOTS` reply (see
/// `checkSlotMap`), its text as a `-MOVED`/`-ASK` address, and the input as a key for `HashSlot`.
func fuzzRESP(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let input = ByteBuffer(bytes: bytes)
    var chunker = Chunker(bytes)
    let ranges = chunker.ranges(size)
    // The client's limits, and tight ones so each limit is reached by short inputs.
    let tight = RESPParser(limits: .init(maxBulkLength: 64, maxArrayLength: 8, maxDepth: 4, maxLineLength: 32))
    for parser in [RESPParser(), tight] {
        let whole = parseStream(input, chunks: [0..<size], parser: parser)
        let pieces = parseStream(input, chunks: ranges, parser: parser)
        check(whole.values == pieces.values, "values differ when the stream arrives in pieces")
        check(
            whole.error == pieces.error,
            "verdict differs when the stream arrives in pieces: \(String(describing: whole.error)) vs \(String(describing: pieces.error))"
        )
        // Round trip at the client's limits only: re-encoding may grow a value (invalid
        // UTF-8 in a simple string comes back as U+FFFD) past a tight line limit.
        for value in whole.values where parser.limits.maxLineLength == RESPParser.Limits().maxLineLength {
            roundTrip(value, parser: parser)
            checkSlotMap(value)
            checkNodeAddress(value)
        }
    }
    checkHashSlot(Array(bytes))
    return 0
}

/// A value read as a `CLUSTER SLOTS` reply is a slot map or `.invalidSlotMap`, never a trap;
/// a map's ranges are sorted, disjoint, within the 16384 slots, with real ports, and
/// `master(forSlot:)` agrees with them at every range's edges.
func checkSlotMap(_ value: RESPValue) {
    let map: SlotMap
    do {
        map = try SlotMap(clusterSlots: value, defaultHost: "fuzz")
    } catch {
        guard case .invalidSlotMap = error else {
            check(false, "slot map parse threw \(error), not invalidSlotMap")
            return
        }
        return
    }
    for (range, next) in zip(map.ranges, map.ranges.dropFirst()) {
        check(
            range.slots.upperBound < next.slots.lowerBound,
            "ranges \(range.slots) and \(next.slots) overlap or are unsorted"
        )
    }
    for (index, range) in map.ranges.enumerated() {
        check(
            range.slots.lowerBound >= 0 && range.slots.upperBound < HashSlot.count,
            "range \(range.slots) out of bounds"
        )
        for node in [range.master] + range.replicas {
            check((1...65535).contains(node.port) && !node.host.isEmpty, "bad node \(node)")
        }
        check(
            map.master(forSlot: range.slots.lowerBound) == range.master,
            "first slot of \(range.slots) not routed to its master"
        )
        check(
            map.master(forSlot: range.slots.upperBound) == range.master,
            "last slot of \(range.slots) not routed to its master"
        )
        let after = range.slots.upperBound + 1
        let nextStart = index + 1 < map.ranges.count ? map.ranges[index + 1].slots.lowerBound : HashSlot.count
        if after < nextStart {
            check(
                map.master(forSlot: after) == nil,
                "slot \(after) after \(range.slots) is routed though no range covers it"
            )
        }
    }
}

/// The last word of a reply's text, as a `-MOVED`/`-ASK` address: parsed or nil, never a trap.
func checkNodeAddress(_ value: RESPValue) {
    let text: String
    switch value {
    case .error(let message), .simpleString(let message): text = message
    default: return
    }
    guard let word = text.split(separator: " ").last else { return }
    if let node = RedisNodeAddress(parsing: word, defaultHost: "fuzz") {
        check((1...65535).contains(node.port) && !node.host.isEmpty, "parsed a bad address \(node) from '\(word)'")
    }
}

/// Any bytes as a key: a slot in range, and a hash tag hashes like the tag alone.
func checkHashSlot(_ key: [UInt8]) {
    let slot = HashSlot.slot(forKey: key)
    check((0..<HashSlot.count).contains(slot), "slot \(slot) out of range")
    if let open = key.firstIndex(of: UInt8(ascii: "{")),
        let close = key[(open + 1)...].firstIndex(of: UInt8(ascii: "}")), close > open + 1
    {
        check(slot == HashSlot.slot(forKey: Array(key[(open + 1)..<close])), "hash tag not honoured")
    }
}

struct Parsed {
    var values: [RESPValue] = []
    var error: RedisError?
}

/// Parses like `RESPDecoder`: append what arrived, take values until more is needed.
func parseStream(_ input: ByteBuffer, chunks: [Range<Int>], parser: RESPParser) -> Parsed {
    var result = Parsed()
    var buffer = ByteBuffer()
    for range in chunks {
        var piece = input.getSlice(at: input.readerIndex + range.lowerBound, length: range.count)!
        buffer.writeBuffer(&piece)
        while true {
            let before = buffer.readerIndex
            do {
                switch try parser.parse(&buffer) {
                case .value(let value):
                    check(buffer.readerIndex > before, "a value consumed no bytes")
                    result.values.append(value)
                    continue
                case .needMoreData:
                    check(buffer.readerIndex == before, ".needMoreData consumed bytes")
                }
            } catch {
                guard case .protocolViolation = error else {
                    check(false, "parse threw \(error), not a protocol violation")
                    return result
                }
                check(buffer.readerIndex == before, "a protocol violation consumed bytes")
                result.error = error
                return result
            }
            break
        }
        buffer.discardReadBytes()
    }
    return result
}

func roundTrip(_ value: RESPValue, parser: RESPParser) {
    var encoded = ByteBuffer()
    RESPEncoder.write(value, into: &encoded)
    let length = encoded.readableBytes
    var copy = encoded
    do {
        let result = try parser.parse(&copy)
        check(result == .value(value), "round trip: \(value) came back as \(result)")
        check(copy.readableBytes == 0, "round trip left \(copy.readableBytes) bytes of the encoding")
    } catch {
        check(false, "round trip: encoding of \(value) does not parse: \(error)")
    }
    // Every strict prefix (sampled when long) is incomplete, never an error.
    let step = Swift.max(1, length / 64)
    var cut = 0
    while cut < length {
        var prefix = encoded.getSlice(at: encoded.readerIndex, length: cut)!
        do {
            let result = try parser.parse(&prefix)
            check(result == .needMoreData, "prefix of \(cut)/\(length) bytes of \(value) parsed as \(result)")
        } catch {
            check(false, "prefix of \(cut)/\(length) bytes of \(value) threw \(error)")
        }
        cut += step
    }
}
