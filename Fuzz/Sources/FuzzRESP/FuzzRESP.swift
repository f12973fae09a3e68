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
/// encoding asks for more data.
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
        check(whole.error == pieces.error, "verdict differs when the stream arrives in pieces: \(String(describing: whole.error)) vs \(String(describing: pieces.error))")
        // Round trip at the client's limits only: re-encoding may grow a value (invalid
        // UTF-8 in a simple string comes back as U+FFFD) past a tight line limit.
        for value in whole.values where parser.limits.maxLineLength == RESPParser.Limits().maxLineLength {
            roundTrip(value, parser: parser)
        }
    }
    return 0
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
