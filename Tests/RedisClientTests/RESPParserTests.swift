// SPDX-License-Identifier: Apache-2.0
import NIOCore
import RedisClient
import Testing

/// Parses every complete value in `text`; fails the test if bytes are left over.
func parseAll(_ text: String, limits: RESPParser.Limits = .init()) throws(RedisError) -> [RESPValue] {
    var buffer = ByteBuffer(string: text)
    let parser = RESPParser(limits: limits)
    var values: [RESPValue] = []
    while case .value(let value) = try parser.parse(&buffer) {
        values.append(value)
    }
    #expect(buffer.readableBytes == 0, "unparsed bytes left")
    return values
}

func encoded(_ value: RESPValue) -> ByteBuffer {
    var buffer = ByteBuffer()
    RESPEncoder.write(value, into: &buffer)
    return buffer
}

func expectViolation(
    _ text: String,
    limits: RESPParser.Limits = .init(),
    sourceLocation: SourceLocation = #_sourceLocation
) {
    var buffer = ByteBuffer(string: text)
    do {
        let result = try RESPParser(limits: limits).parse(&buffer)
        Issue.record("expected a protocol violation, got \(result)", sourceLocation: sourceLocation)
    } catch {
        guard case .protocolViolation = error else {
            Issue.record("expected .protocolViolation, got \(error)", sourceLocation: sourceLocation)
            return
        }
    }
}

@Suite struct RESPParserTests {
    @Test func everyType() throws {
        #expect(try parseAll("+OK\r\n") == [.simpleString("OK")])
        #expect(try parseAll("-ERR unknown command\r\n") == [.error("ERR unknown command")])
        #expect(try parseAll(":0\r\n:42\r\n:-7\r\n") == [.integer(0), .integer(42), .integer(-7)])
        #expect(try parseAll(":9223372036854775807\r\n:-9223372036854775808\r\n") == [.integer(.max), .integer(.min)])
        #expect(try parseAll("$5\r\nhello\r\n") == [.bulk("hello")])
        #expect(try parseAll("$0\r\n\r\n") == [.bulk("")])
        #expect(try parseAll("$-1\r\n") == [.bulkString(nil)])
        #expect(try parseAll("*-1\r\n") == [.array(nil)])
        #expect(try parseAll("*0\r\n") == [.array([])])
        #expect(try parseAll("*2\r\n$1\r\na\r\n:1\r\n") == [.array([.bulk("a"), .integer(1)])])
    }

    @Test func bulkStringsAreBinarySafe() throws {
        #expect(try parseAll("$4\r\na\r\nb\r\n") == [.bulk("a\r\nb")])
    }

    @Test func nestedArraysAndNulls() throws {
        let text = "*3\r\n*2\r\n:1\r\n*1\r\n+x\r\n$-1\r\n*-1\r\n"
        #expect(
            try parseAll(text) == [
                .array([.array([.integer(1), .array([.simpleString("x")])]), .bulkString(nil), .array(nil)])
            ]
        )
    }

    @Test func manyValuesInOneBuffer() throws {
        let text = String(repeating: "+PONG\r\n:5\r\n$3\r\nabc\r\n", count: 500)
        let values = try parseAll(text)
        #expect(values.count == 1500)
        #expect(values[1497] == .simpleString("PONG") && values[1498] == .integer(5) && values[1499] == .bulk("abc"))
    }

    @Test func oneByteAtATime() throws {
        let value = RESPValue.array([
            .simpleString("OK"), .error("ERR x"), .integer(-12345), .bulk("with\r\ncrlf"), .bulkString(nil),
            .array(nil), .array([]), .array([.array([.bulk("deep")])]),
        ])
        let bytes = Array(encoded(value).readableBytesView)
        let parser = RESPParser()
        var buffer = ByteBuffer()
        for (index, byte) in bytes.enumerated() {
            buffer.writeInteger(byte)
            let result = try parser.parse(&buffer)
            if index < bytes.count - 1 {
                #expect(result == .needMoreData)
                #expect(buffer.readerIndex == 0, "a partial value must not consume bytes")
            } else {
                #expect(result == .value(value))
                #expect(buffer.readableBytes == 0)
            }
        }
    }

    @Test func needMoreDataForEveryPrefix() throws {
        let text = "*2\r\n$5\r\nhello\r\n:12\r\n"
        for length in 0..<text.utf8.count {
            var buffer = ByteBuffer(bytes: Array(text.utf8.prefix(length)))
            #expect(try RESPParser().parse(&buffer) == .needMoreData, "prefix of \(length) bytes")
        }
    }

    @Test func limitsAreEnforced() throws {
        let small = RESPParser.Limits(maxBulkLength: 10, maxArrayLength: 3, maxDepth: 4, maxLineLength: 8)
        expectViolation("$11\r\n", limits: small)
        expectViolation("*4\r\n", limits: small)
        expectViolation("+123456789\r\n", limits: small)
        expectViolation("+123456789", limits: small)  // too long even before the CRLF arrives
        expectViolation(String(repeating: "*1\r\n", count: 4) + ":1\r\n", limits: small)
        #expect(try parseAll(String(repeating: "*1\r\n", count: 3) + ":1\r\n", limits: small).count == 1)
        // Defaults: Redis' 512 MiB bulk limit and 32 levels.
        expectViolation("$536870913\r\n")
        expectViolation(String(repeating: "*1\r\n", count: 32) + ":1\r\n")
        #expect(try parseAll(String(repeating: "*1\r\n", count: 31) + ":1\r\n").count == 1)
    }

    @Test func malformedInputIsATypedError() {
        expectViolation("$-2\r\n")
        expectViolation("*-5\r\n")
        expectViolation("$3\r\nabcXY")  // payload not followed by CRLF
        expectViolation(":12a\r\n")
        expectViolation(":\r\n")
        expectViolation(":-\r\n")
        expectViolation(":99999999999999999999\r\n")  // overflow
        expectViolation("$+3\r\nabc\r\n")
        expectViolation("+OK\rX")
        expectViolation("+O\nK\r\n")
        expectViolation("?what\r\n")
        expectViolation("hello")
    }

    @Test func accessors() {
        #expect(RESPValue.simpleString("OK").string == "OK")
        #expect(RESPValue.bulk("7").string == "7")
        #expect(RESPValue.bulk("7").int == 7)
        #expect(RESPValue.integer(3).int == 3)
        #expect(RESPValue.integer(3).string == nil)
        #expect(RESPValue.array([.integer(1)]).array == [.integer(1)])
        #expect(RESPValue.array(nil).array == nil)
        #expect(RESPValue.bulkString(nil).isNull && RESPValue.array(nil).isNull)
        #expect(!RESPValue.bulk("").isNull)
    }

    @Test func encoderWritesCommandsAsBulkArrays() {
        var buffer = ByteBuffer()
        RESPEncoder.writeCommand(["SET", "k", "hé"], into: &buffer)
        #expect(String(buffer: buffer) == "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\nhé\r\n")
        var binary = ByteBuffer()
        RESPEncoder.writeCommand([ByteBuffer(bytes: [0, 13, 10])], into: &binary)
        #expect(Array(binary.readableBytesView) == Array("*1\r\n$3\r\n".utf8) + [0, 13, 10, 13, 10])
    }
}
