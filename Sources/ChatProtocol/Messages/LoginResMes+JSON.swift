// SPDX-License-Identifier: Apache-2.0
import NIOCore

extension LoginResMes {
    /// The whole frame, written in one pass — the same bytes as `ServerMessage.loginResult(self).frame()`.
    /// A successful login's reply lists every online user: with ten thousand online,
    /// JSONEncoder and the envelope's string escaping cost about a millisecond per login,
    /// which a reconnect storm of ten thousand pays ten thousand times. (Refusals, with
    /// no list, take the generic path.)
    public func frame() -> ByteBuffer {
        self.frame(listing: EncodedIDs(self.userIds))
    }

    /// User ids encoded once, for many login replies while the online list is unchanged.
    public struct EncodedIDs: Sendable {
        let bytes: ByteBuffer

        public init(_ ids: some Collection<Int>) {
            var bytes = ByteBuffer()
            LoginResMes.writeDecimals(ids, to: &bytes)
            self.bytes = bytes
        }
    }

    /// The frame, listing `leading` (if any) and then `ids` as `UserIds`, in place of `userIds`.
    public func frame(listing ids: EncodedIDs, leading: Int? = nil) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(
            128 + ids.bytes.readableBytes + self.error.utf8.count * 2 + (self.token?.utf8.count ?? 0) * 2
        )
        buffer.writeInteger(UInt32(0))
        // Inside the envelope the payload is a JSON string, hence the escaped quotes.
        // Keys sorted as JSONEncoder's .sortedKeys does: "UserIds" before the lowercase ones.
        buffer.writeStaticString(#"{"type":"LoginResMes","data":"{\"UserIds\":["#)
        if let leading {
            LoginResMes.writeDecimals(CollectionOfOne(leading), to: &buffer)
            if ids.bytes.readableBytes > 0 { buffer.writeStaticString(",") }
        }
        buffer.writeImmutableBuffer(ids.bytes)
        // The rest is short: encoded as the payload JSON, then escaped into the envelope.
        var rest = "],\"code\":\(self.code),\"error\":"
        JSONString.append(self.error, to: &rest)
        if let online = self.online {
            rest += ",\"online\":\(online)"
        }
        if let token = self.token {
            rest += ",\"token\":"
            JSONString.append(token, to: &rest)
        }
        if let username = self.username {
            rest += ",\"username\":"
            JSONString.append(username, to: &rest)
        }
        rest += "}"
        JSONString.writeEscaped(rest, to: &buffer)
        buffer.writeStaticString("\"}")
        buffer.setInteger(UInt32(buffer.readableBytes - 4), at: buffer.readerIndex)
        return buffer
    }

    /// `ids` as decimals separated by commas, straight into the buffer's memory.
    private static func writeDecimals(_ ids: some Collection<Int>, to buffer: inout ByteBuffer) {
        guard !ids.isEmpty else { return }
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: ids.count * 21) { out in
            var at = 0
            for id in ids {
                if at > 0 {
                    out[at] = UInt8(ascii: ",")
                    at += 1
                }
                if id < 0 {
                    out[at] = UInt8(ascii: "-")
                    at += 1
                }
                var magnitude = id.magnitude
                var digits = 1
                var rest = magnitude / 10
                while rest > 0 {
                    digits += 1
                    rest /= 10
                }
                var index = at + digits - 1
                repeat {
                    out[index] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                    magnitude /= 10
                    index -= 1
                } while magnitude > 0
                at += digits
            }
            return at
        }
    }
}
