// SPDX-License-Identifier: Apache-2.0
import NIOCore
import RedisClient

/// What a Redis connection of the baseline receives.
enum RESPItem {
    /// A pub/sub `message` push: its payload.
    case message(ByteBuffer)
    /// The `subscribe` confirmation.
    case subscribed
    case integer(Int)
    case error(String)
    case other

    init(_ value: RESPValue) {
        switch value {
        case .integer(let n): self = .integer(n)
        case .error(let text): self = .error(text)
        case .array(let items?) where items.count == 3 && items[0].string == "message":
            if case .bulkString(let payload?) = items[2] { self = .message(payload) } else { self = .other }
        case .array(let items?) where items.first?.string == "subscribe": self = .subscribed
        default: self = .other
        }
    }
}

/// PUBLISH replies and SUBSCRIBE pushes, read with chatd's own RESP parser.
struct RESPItemDecoder: NIOSingleStepByteToMessageDecoder {
    typealias InboundOut = RESPItem

    let parser = RESPParser()

    mutating func decode(buffer: inout ByteBuffer) throws -> RESPItem? {
        switch try self.parser.parse(&buffer) {
        case .value(let value): RESPItem(value)
        case .needMoreData: nil
        }
    }

    mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> RESPItem? {
        try self.decode(buffer: &buffer)
    }
}
