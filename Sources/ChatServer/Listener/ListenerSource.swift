// SPDX-License-Identifier: Apache-2.0
import NIOCore

/// Where a listening socket comes from: bound by us, or passed in by systemd.
public enum ListenerSource: Sendable, Equatable {
    case bind(host: String, port: Int)
    /// An already listening socket; `backlog` is re-applied when NIO adopts it
    /// (NIO calls listen() again, which would otherwise shrink systemd's backlog).
    case adopt(fd: CInt, backlog: Int32)
}
