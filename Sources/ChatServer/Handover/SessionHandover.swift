// SPDX-License-Identifier: Apache-2.0
import NIOConcurrencyHelpers
import NIOCore
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Keeps logged-in sessions' sockets in a `SocketKeeper` (systemd's store) so that they
/// outlive this process: each login stores its socket and records who is on it in the
/// `SessionTable`; each session end forgets it and shuts the socket down, which makes
/// systemd drop its copy. Made once at start from what the store passed back.
public final class SessionHandover: Sendable {
    let keeper: any SocketKeeper
    let table: SessionTable
    /// Sessions of the previous process, until `ChatServer.adopt` takes them.
    private let passed: NIOLockedValueBox<(descriptors: KeptDescriptors, entries: [SessionTable.Entry])>
    private let keptCount = Atomic<Int>(0)

    /// This node's id: the previous process's when it left a table, so presence and the
    /// bus carry on under the same name.
    public var node: String { self.table.node }

    public init(keeper: any SocketKeeper, passed: KeptDescriptors) throws {
        self.keeper = keeper
        var descriptors = passed
        if let fd = passed.table, let (table, entries) = SessionTable.open(fd) {
            self.table = table
            self.passed = NIOLockedValueBox((descriptors, entries))
        } else {
            if let stale = passed.table {
                // Not a table of ours: nothing can be known of the sessions.
                _ = keeper.remove(name: KeptName.table)
                close(stale)
                descriptors.table = nil
            }
            let fd = try keeper.makeMemoryFile(name: "chatd-sessions")
            self.table = try SessionTable(creatingIn: fd, node: SessionID.random().rawValue)
            guard keeper.store(fd, name: KeptName.table) else { throw HandoverError.io("FDSTORE", EIO) }
            self.passed = NIOLockedValueBox((descriptors, []))
        }
    }

    /// What the previous process left, once.
    func takePassed() -> (descriptors: KeptDescriptors, entries: [SessionTable.Entry]) {
        self.passed.withLockedValue { passed in
            defer { passed = (KeptDescriptors(), []) }
            return passed
        }
    }

    /// At login, on the channel's loop: records and stores the session's socket. Returns
    /// its inode, or nil when it is not kept (the store is full, or refused it).
    func keep(_ session: SessionInfo, context: ChannelHandlerContext) -> UInt64? {
        let limit = self.keeper.capacity - KeptName.overhead
        guard self.keptCount.wrappingAdd(1, ordering: .relaxed).newValue <= limit,
            let fd = Self.descriptor(context), let inode = Self.inode(fd)
        else {
            self.keptCount.wrappingSubtract(1, ordering: .relaxed)
            return nil
        }
        let entry = SessionTable.Entry(
            inode: inode,
            user: session.user.id,
            session: session.id,
            tokenFamily: session.tokenFamily,
            connectedAt: session.connectedAt,
            username: session.user.username
        )
        do {
            try self.table.record(entry)
        } catch {
            self.keptCount.wrappingSubtract(1, ordering: .relaxed)
            return nil
        }
        guard self.keeper.store(fd, name: KeptName.session) else {
            self.release(session.id)
            return nil
        }
        return inode
    }

    /// Counts a session taken over from the previous process (its socket is stored already).
    func adopted() {
        self.keptCount.wrappingAdd(1, ordering: .relaxed)
    }

    /// The session ended: forgotten here; the caller shuts its socket down.
    func release(_ session: SessionID) {
        self.table.clear(session)
        self.keptCount.wrappingSubtract(1, ordering: .relaxed)
    }

    public var keptSessions: Int { self.keptCount.load(ordering: .relaxed) }

    /// Shuts a kept socket down in both directions before it is closed: our close alone
    /// would leave it open in systemd's store, and the peer would wait forever.
    static func shutDown(_ context: ChannelHandlerContext) {
        if let fd = self.descriptor(context) { _ = shutdown(fd, CInt(SHUT_RDWR)) }
    }

    static func descriptor(_ context: ChannelHandlerContext) -> CInt? {
        (try? context.pipeline.syncOperations.withUnsafeTransportIfAvailable(of: NIOBSDSocket.Handle.self) { $0 })
            ?? nil
    }

    static func inode(_ fd: CInt) -> UInt64? {
        var stats = stat()
        guard fstat(fd, &stats) == 0 else { return nil }
        return UInt64(stats.st_ino)
    }

    /// Writes the orderly stop's state and stores it (replacing any older one).
    func leave(_ state: HandoverState) throws {
        let fd = try self.keeper.makeMemoryFile(name: "chatd-handover")
        defer { close(fd) }
        try state.write(to: fd)
        _ = self.keeper.remove(name: KeptName.handover)
        guard self.keeper.store(fd, name: KeptName.handover) else { throw HandoverError.io("FDSTORE", EIO) }
    }

    /// The previous process's orderly-stop state has been used: dropped from the store.
    func forgetHandover(_ fd: CInt) {
        _ = self.keeper.remove(name: KeptName.handover)
        close(fd)
    }
}
