// SPDX-License-Identifier: Apache-2.0
import ChatTesting
import NIOCore
import RedisClient
import Testing

@Suite struct RESPFuzzTests {
    enum Outcome: Equatable {
        case values([RESPValue], leftover: Int)
        case violation
    }

    /// Feeds `bytes` in random chunks and parses after each chunk, checking the parser's
    /// contract: every call consumes a whole value, or asks for more without consuming,
    /// or throws a protocol violation (after which the stream is dead).
    static func drive(_ bytes: [UInt8], parser: RESPParser = RESPParser(), rng: inout SeededGenerator) -> Outcome {
        var buffer = ByteBuffer()
        var values: [RESPValue] = []
        var offset = 0
        while offset < bytes.count {
            let chunk = Int.random(in: 1...max(1, min(64, bytes.count - offset)), using: &rng)
            buffer.writeBytes(bytes[offset..<(offset + chunk)])
            offset += chunk
            // Each value takes at least 3 bytes, so more iterations than bytes means a loop.
            var calls = 0
            while true {
                calls += 1
                guard calls <= bytes.count + 1 else {
                    Issue.record("parser loops without progress")
                    return .violation
                }
                let before = buffer.readerIndex
                do {
                    switch try parser.parse(&buffer) {
                    case .value(let value):
                        #expect(buffer.readerIndex > before, "value returned without consuming bytes")
                        values.append(value)
                        continue
                    case .needMoreData:
                        #expect(buffer.readerIndex == before, "needMoreData must not consume")
                    }
                } catch {
                    guard case .protocolViolation = error else {
                        Issue.record("unexpected error \(error)")
                        return .violation
                    }
                    return .violation
                }
                break
            }
        }
        return .values(values, leftover: buffer.readableBytes)
    }

    static func randomValue(depth: Int, rng: inout SeededGenerator) -> RESPValue {
        switch Int.random(in: 0..<(depth > 3 ? 6 : 7), using: &rng) {
        case 0: return .simpleString(randomText(rng: &rng))
        case 1: return .error("ERR " + randomText(rng: &rng))
        case 2: return .integer(Int.random(in: Int.min...Int.max, using: &rng))
        case 3:
            let bytes = (0..<Int.random(in: 0...40, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            return .bulkString(ByteBuffer(bytes: bytes))
        case 4: return .bulkString(nil)
        case 5: return .array(nil)
        default:
            return .array(
                (0..<Int.random(in: 0...5, using: &rng)).map { _ in randomValue(depth: depth + 1, rng: &rng) }
            )
        }
    }

    static func randomText(rng: inout SeededGenerator) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz 0123456789:-+$*")
        return String((0..<Int.random(in: 0...20, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
    }

    @Test func randomBytesNeverCrashOrLoop() {
        var rng = SeededGenerator(seed: 0xC0FFEE)
        let interesting = Array("+-:$*\r\n0123456789-".utf8)
        for _ in 0..<3000 {
            let length = Int.random(in: 0...200, using: &rng)
            let bytes: [UInt8] = (0..<length).map { _ in
                // Bias towards protocol characters so the parser gets past the first byte.
                Bool.random(using: &rng)
                    ? interesting.randomElement(using: &rng)! : UInt8.random(in: 0...255, using: &rng)
            }
            _ = Self.drive(bytes, rng: &rng)
        }
    }

    @Test func validEncodingsRoundTripAndTruncationsAskForMore() throws {
        var rng = SeededGenerator(seed: 42)
        for _ in 0..<2000 {
            let value = Self.randomValue(depth: 0, rng: &rng)
            let bytes = Array(encoded(value).readableBytesView)
            #expect(Self.drive(bytes, rng: &rng) == .values([value], leftover: 0))
            let cut = Int.random(in: 0..<bytes.count, using: &rng)
            var prefix = ByteBuffer(bytes: bytes[0..<cut])
            #expect(try RESPParser().parse(&prefix) == .needMoreData)
            #expect(prefix.readerIndex == 0)
        }
    }

    @Test func mutatedEncodingsNeverCrashOrLoop() {
        var rng = SeededGenerator(seed: 7)
        for _ in 0..<3000 {
            var bytes = Array(encoded(Self.randomValue(depth: 0, rng: &rng)).readableBytesView)
            for _ in 0..<Int.random(in: 1...4, using: &rng) where !bytes.isEmpty {
                let index = Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: bytes[index] = UInt8.random(in: 0...255, using: &rng)
                case 1: bytes.remove(at: index)
                default: bytes.insert(UInt8.random(in: 0...255, using: &rng), at: index)
                }
            }
            _ = Self.drive(bytes, rng: &rng)
        }
    }

    /// Declared sizes far beyond the data: the parser must wait (or refuse) without
    /// reserving memory for what was merely announced. Were it to allocate from the
    /// declared length, these hundreds of iterations would need terabytes.
    @Test func hostileInputs() {
        var rng = SeededGenerator(seed: 99)
        let waitsForData = [
            "$536870912\r\nabc",
            "*16777216\r\n:1\r\n:2\r\n",
            "*16777216\r\n*16777216\r\n*16777216\r\n",
            String(repeating: "*1\r\n", count: 31),
            "$5\r\nab",
            "+no end yet",
        ]
        for text in waitsForData {
            for _ in 0..<200 {
                #expect(Self.drive(Array(text.utf8), rng: &rng) == .values([], leftover: text.utf8.count))
            }
        }
        let refused = [
            "$9999999999\r\n", "$-5\r\n", "*-5\r\n", "*99999999999\r\n",
            String(repeating: "*1\r\n", count: 10_000),
            "$3\r\nabc", "$3\r\nabcde", ":1\n", "+OK\n\r\n", ":\r\n", "*1\r\n$1\r\nx\rx",
            "$99999999999999999999999\r\n", ":-9223372036854775809\r\n",
            "+" + String(repeating: "x", count: 70_000),
        ]
        for text in refused {
            let outcome = Self.drive(Array(text.utf8), rng: &rng)
            // Truncated-but-valid inputs ($3\r\nabc) may legitimately wait for more.
            if text == "$3\r\nabc" {
                #expect(outcome == .values([], leftover: text.utf8.count))
            } else {
                #expect(outcome == .violation, "\(text.prefix(30))")
            }
        }
    }
}
