// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import NIOCore

/// Frames the bench sends. Login and register go through ChatProtocol's encoder;
/// the per-message frames are built by hand (same bytes a `ClientMessage` would
/// produce for ASCII content) so encoding does not dominate the sender's CPU.
enum ClientFrames {
    static func register(id: Int, password: String) -> ByteBuffer {
        ClientMessage.register(RegisterMes(user: User(userid: id, userpwd: password, username: username(id)))).frame()
    }

    static func login(id: Int, password: String, token: String?) -> ByteBuffer {
        ClientMessage.login(
            LoginMes(userid: id, userpwd: token == nil ? password : "", username: username(id), token: token)
        ).frame()
    }

    static func pong() -> ByteBuffer { ClientMessage.pong(PingMes()).frame() }

    static func history(before: String?, limit: Int) -> ByteBuffer {
        ClientMessage.history(HistoryMes(before: before, limit: limit)).frame()
    }

    static func username(_ id: Int) -> String { "bench\(id)" }

    /// `SmsMes` with only `content` (the server fills the sender).
    static func group(content: String, allocator: ByteBufferAllocator) -> ByteBuffer {
        frame(type: "SmsMes", data: #"{\"content\":\""# + content + #"\"}"#, allocator: allocator)
    }

    static func privateMessage(to: Int, content: String, allocator: ByteBufferAllocator) -> ByteBuffer {
        frame(
            type: "PrivateMes",
            data: #"{\"content\":\""# + content + #"\",\"to\":"# + String(to) + "}",
            allocator: allocator
        )
    }

    /// `escapedData` is the payload JSON already escaped as a JSON string's content.
    private static func frame(type: String, data escapedData: String, allocator: ByteBufferAllocator) -> ByteBuffer {
        let body = #"{"type":""# + type + #"","data":""# + escapedData + #""}"#
        var buffer = allocator.buffer(capacity: 4 + body.utf8.count)
        buffer.writeInteger(UInt32(body.utf8.count))
        buffer.writeString(body)
        return buffer
    }
}
