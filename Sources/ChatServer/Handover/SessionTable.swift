// SPDX-License-Identifier: Apache-2.0
import NIOConcurrencyHelpers

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Who is on each kept socket: a memory file of fixed slots, kept in the store beside
/// the sockets and written at every login and session end (one `pwrite`), so that after
/// a crash — when nothing was written at stop — the next process still knows each
/// socket's user. A socket is known by its inode, which survives being passed around.
///
/// Slot 0 is the header (magic, node id); each further slot of 128 bytes is a session:
/// inode (0: free), user, session id, token family, connected-at, name length, name.
final class SessionTable: Sendable {
    struct Entry: Equatable, Sendable {
        var inode: UInt64
        var user: Int
        var session: SessionID
        var tokenFamily: UInt64
        var connectedAt: Int64
        var username: String
    }

    static let slotSize = 128
    static let magic = Array("chatdST1".utf8)
    private static let nameCapacity = slotSize - 41

    let fd: CInt
    let node: String
    private struct Slots {
        var bySession: [SessionID: Int] = [:]
        var free: [Int] = []
        var next = 1
    }
    private let slots: NIOLockedValueBox<Slots>

    /// A new table for `node` in `fd` (an empty memory file).
    init(creatingIn fd: CInt, node: String) throws(HandoverError) {
        self.fd = fd
        self.node = node
        self.slots = NIOLockedValueBox(Slots())
        var header = Self.magic + Array(node.utf8.prefix(Self.slotSize - Self.magic.count - 1))
        header += [UInt8](repeating: 0, count: Self.slotSize - header.count)
        try Self.write(header, at: 0, to: fd)
    }

    /// The table a previous process left in `fd`, with its sessions; nil if it is not one.
    static func open(_ fd: CInt) -> (table: SessionTable, entries: [Entry])? {
        var stats = stat()
        guard fstat(fd, &stats) == 0, stats.st_size >= slotSize else { return nil }
        var bytes = [UInt8](repeating: 0, count: Int(stats.st_size))
        guard bytes.withUnsafeMutableBytes({ pread(fd, $0.baseAddress, $0.count, 0) }) == bytes.count,
            Array(bytes[0..<magic.count]) == magic
        else { return nil }
        let node = String(decoding: bytes[magic.count..<slotSize].prefix { $0 != 0 }, as: UTF8.self)
        var entries: [Entry] = []
        var state = Slots()
        let count = bytes.count / slotSize
        for slot in 1..<max(count, 1) {
            let entry = Self.decode(bytes[(slot * slotSize)..<((slot + 1) * slotSize)])
            if let entry {
                entries.append(entry)
                state.bySession[entry.session] = slot
            } else {
                state.free.append(slot)
            }
        }
        state.next = max(count, 1)
        return (SessionTable(fd: fd, node: node, slots: state), entries)
    }

    private init(fd: CInt, node: String, slots: Slots) {
        self.fd = fd
        self.node = node
        self.slots = NIOLockedValueBox(slots)
    }

    /// Records a session (its slot is its own until `clear`).
    func record(_ entry: Entry) throws(HandoverError) {
        let slot = self.slots.withLockedValue { slots in
            if let slot = slots.bySession[entry.session] { return slot }
            let slot =
                slots.free.popLast()
                ?? {
                    defer { slots.next += 1 }
                    return slots.next
                }()
            slots.bySession[entry.session] = slot
            return slot
        }
        try Self.write(Self.encode(entry), at: slot * Self.slotSize, to: self.fd)
    }

    /// Forgets a session; its slot is reused.
    func clear(_ session: SessionID) {
        guard
            let slot = self.slots.withLockedValue({ slots -> Int? in
                guard let slot = slots.bySession.removeValue(forKey: session) else { return nil }
                slots.free.append(slot)
                return slot
            })
        else { return }
        try? Self.write([UInt8](repeating: 0, count: Self.slotSize), at: slot * Self.slotSize, to: self.fd)
    }

    static func encode(_ entry: Entry) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(slotSize)
        func put(_ value: UInt64) { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
        put(entry.inode)
        put(UInt64(bitPattern: Int64(entry.user)))
        put(UInt64(entry.session.rawValue, radix: 16) ?? 0)
        put(entry.tokenFamily)
        put(UInt64(bitPattern: entry.connectedAt))
        // Names are at most 64 bytes (UserName's rule); a longer one is cut, not lost.
        let name = Array(entry.username.utf8.prefix(nameCapacity))
        bytes.append(UInt8(name.count))
        bytes += name
        bytes += [UInt8](repeating: 0, count: slotSize - bytes.count)
        return bytes
    }

    static func decode(_ slot: ArraySlice<UInt8>) -> Entry? {
        let bytes = Array(slot)
        func get(_ offset: Int) -> UInt64 {
            bytes[offset..<offset + 8].reversed().reduce(0) { $0 << 8 | UInt64($1) }
        }
        let inode = get(0)
        guard inode != 0 else { return nil }
        let length = min(Int(bytes[40]), nameCapacity)
        let hex = String(get(16), radix: 16)
        return Entry(
            inode: inode,
            user: Int(Int64(bitPattern: get(8))),
            session: SessionID(rawValue: String(repeating: "0", count: max(0, 12 - hex.count)) + hex),
            tokenFamily: get(24),
            connectedAt: Int64(bitPattern: get(32)),
            username: String(decoding: bytes[41..<41 + length], as: UTF8.self)
        )
    }

    private static func write(_ bytes: [UInt8], at offset: Int, to fd: CInt) throws(HandoverError) {
        let written = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, off_t(offset)) }
        guard written == bytes.count else { throw .io("pwrite", errno) }
    }
}

/// Why sessions could not be kept or taken over.
enum HandoverError: Error, CustomStringConvertible {
    case io(String, CInt)
    case noTransport

    var description: String {
        switch self {
        case .io(let call, let errno): "\(call): \(String(cString: strerror(errno)))"
        case .noTransport: "the connection has no socket to keep"
        }
    }
}
