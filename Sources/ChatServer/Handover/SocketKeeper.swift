// SPDX-License-Identifier: Apache-2.0

/// Where the sockets of logged-in sessions wait while chatd restarts: systemd's file
/// descriptor store, in chatd. The server only needs these three things of it.
public protocol SocketKeeper: Sendable {
    /// How many descriptors it keeps in all.
    var capacity: Int { get }
    /// Keeps a duplicate of `fd` under `name` (names may repeat).
    func store(_ fd: CInt, name: String) -> Bool
    /// Closes every duplicate kept under `name`.
    func remove(name: String) -> Bool
    /// A new anonymous in-memory file, for state kept beside the sockets.
    func makeMemoryFile(name: String) throws -> CInt
}

/// The names kept descriptors go by. A session's is one letter: systemd passes every
/// name back in one environment variable (`LISTEN_FDNAMES`), which the kernel caps at
/// 128 KiB, so tens of thousands of sessions need names of one or two bytes.
public enum KeptName {
    public static let session = "s"
    /// `SessionTable`: who is on each kept socket.
    public static let table = "session-table"
    /// `HandoverState`: written at an orderly stop; absent after a crash.
    public static let handover = "handover"

    /// Descriptors the store can hold beside the sessions' (the two above).
    static let overhead = 2
}

/// What systemd passed back of the store at start.
public struct KeptDescriptors: Sendable {
    public var sessions: [CInt] = []
    public var table: CInt?
    public var handover: CInt?

    public init(sessions: [CInt] = [], table: CInt? = nil, handover: CInt? = nil) {
        self.sessions = sessions
        self.table = table
        self.handover = handover
    }

    public var isEmpty: Bool { sessions.isEmpty && table == nil && handover == nil }
}
