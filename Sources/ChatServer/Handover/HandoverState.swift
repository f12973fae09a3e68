// SPDX-License-Identifier: Apache-2.0
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// What an orderly stop leaves for the next process beside the sockets: that every
/// kept stream stopped between frames (so it can be read on at once), and what each
/// session held that is not in `SessionTable` — the start of a frame not yet complete.
/// A crash leaves none, and the next process re-checks each session's user instead.
///
/// Written in a fixed binary layout, not JSON: at 8,000 sessions JSON took 90 ms of the
/// restart's pause to write and read again. A state that does not read (another
/// version's) counts as none, so the next process treats the stop as a crash.
struct HandoverState: Sendable, Equatable {
    struct Session: Sendable, Equatable {
        /// Bytes read of a frame that had not arrived whole.
        var unfinished: [UInt8]?
        var received: Int
        var sent: Int
    }

    var node: String
    /// By socket inode.
    var sessions: [UInt64: Session] = [:]
    /// Users within their presence grace (id → name): the next process times it anew,
    /// or they would stay online on the other nodes for good.
    var departing: [Int: String] = [:]

    static let magic = Array("chatdHS2".utf8)
    private static let noFrame = UInt32.max

    func encoded() -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(64 + self.sessions.count * 28)
        buffer.writeBytes(Self.magic)
        Self.writeText(self.node, to: &buffer)
        buffer.writeInteger(UInt32(self.sessions.count))
        for (inode, session) in self.sessions {
            buffer.writeMultipleIntegers(
                inode,
                UInt64(bitPattern: Int64(session.received)),
                UInt64(bitPattern: Int64(session.sent))
            )
            if let unfinished = session.unfinished {
                buffer.writeInteger(UInt32(unfinished.count))
                buffer.writeBytes(unfinished)
            } else {
                buffer.writeInteger(Self.noFrame)
            }
        }
        buffer.writeInteger(UInt32(self.departing.count))
        for (id, name) in self.departing {
            buffer.writeInteger(Int64(id))
            Self.writeText(name, to: &buffer)
        }
        return buffer
    }

    /// The state in `buffer`, or nil when it is not one of this layout, whole.
    init?(decoding buffer: ByteBuffer) {
        var buffer = buffer
        guard buffer.readBytes(length: Self.magic.count) == Self.magic,
            let node = Self.readText(&buffer), let count = buffer.readInteger(as: UInt32.self)
        else { return nil }
        self.node = node
        self.sessions.reserveCapacity(Int(count))
        for _ in 0..<count {
            guard
                let (inode, received, sent, length) = buffer.readMultipleIntegers(
                    as: (UInt64, UInt64, UInt64, UInt32).self
                )
            else { return nil }
            var unfinished: [UInt8]?
            if length != Self.noFrame {
                guard let bytes = buffer.readBytes(length: Int(length)) else { return nil }
                unfinished = bytes
            }
            self.sessions[inode] = Session(
                unfinished: unfinished,
                received: Int(Int64(bitPattern: received)),
                sent: Int(Int64(bitPattern: sent))
            )
        }
        guard let departing = buffer.readInteger(as: UInt32.self) else { return nil }
        for _ in 0..<departing {
            guard let id = buffer.readInteger(as: Int64.self), let name = Self.readText(&buffer) else { return nil }
            self.departing[Int(id)] = name
        }
        guard buffer.readableBytes == 0 else { return nil }
    }

    init(node: String) {
        self.node = node
    }

    private static func writeText(_ text: String, to buffer: inout ByteBuffer) {
        let bytes = Array(text.utf8.prefix(Int(UInt16.max)))
        buffer.writeInteger(UInt16(bytes.count))
        buffer.writeBytes(bytes)
    }

    private static func readText(_ buffer: inout ByteBuffer) -> String? {
        guard let length = buffer.readInteger(as: UInt16.self) else { return nil }
        return buffer.readString(length: Int(length))
    }

    func write(to fd: CInt) throws(HandoverError) {
        let bytes = self.encoded()
        let written = bytes.withUnsafeReadableBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        guard written == bytes.readableBytes else { throw .io("pwrite", errno) }
    }

    static func read(from fd: CInt) -> HandoverState? {
        var stats = stat()
        guard fstat(fd, &stats) == 0, stats.st_size > 0 else { return nil }
        var buffer = ByteBuffer()
        let size = Int(stats.st_size)
        let read = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) {
            max(0, pread(fd, $0.baseAddress, size, 0))
        }
        guard read == size else { return nil }
        return HandoverState(decoding: buffer)
    }
}
