// SPDX-License-Identifier: Apache-2.0
import NIOCore

/// Writes RESP2. Commands go out as arrays of bulk strings, the only form Redis requires.
public enum RESPEncoder {
    public static func writeCommand(_ arguments: [String], into buffer: inout ByteBuffer) {
        buffer.writeStaticString("*")
        buffer.writeString(String(arguments.count))
        buffer.writeStaticString("\r\n")
        for argument in arguments {
            buffer.writeStaticString("$")
            buffer.writeString(String(argument.utf8.count))
            buffer.writeStaticString("\r\n")
            buffer.writeString(argument)
            buffer.writeStaticString("\r\n")
        }
    }

    public static func writeCommand(_ arguments: [ByteBuffer], into buffer: inout ByteBuffer) {
        buffer.writeStaticString("*")
        buffer.writeString(String(arguments.count))
        buffer.writeStaticString("\r\n")
        for argument in arguments {
            buffer.writeStaticString("$")
            buffer.writeString(String(argument.readableBytes))
            buffer.writeStaticString("\r\n")
            buffer.writeImmutableBuffer(argument)
            buffer.writeStaticString("\r\n")
        }
    }

    /// Any value; the client only sends commands, but tests and fakes need the full encoding.
    public static func write(_ value: RESPValue, into buffer: inout ByteBuffer) {
        switch value {
        case .simpleString(let s):
            buffer.writeStaticString("+")
            buffer.writeString(s)
            buffer.writeStaticString("\r\n")
        case .error(let s):
            buffer.writeStaticString("-")
            buffer.writeString(s)
            buffer.writeStaticString("\r\n")
        case .integer(let i):
            buffer.writeStaticString(":")
            buffer.writeString(String(i))
            buffer.writeStaticString("\r\n")
        case .bulkString(nil):
            buffer.writeStaticString("$-1\r\n")
        case .bulkString(let b?):
            buffer.writeStaticString("$")
            buffer.writeString(String(b.readableBytes))
            buffer.writeStaticString("\r\n")
            buffer.writeImmutableBuffer(b)
            buffer.writeStaticString("\r\n")
        case .array(nil):
            buffer.writeStaticString("*-1\r\n")
        case .array(let elements?):
            buffer.writeStaticString("*")
            buffer.writeString(String(elements.count))
            buffer.writeStaticString("\r\n")
            for element in elements {
                write(element, into: &buffer)
            }
        }
    }
}
