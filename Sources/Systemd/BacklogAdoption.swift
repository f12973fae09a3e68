// SPDX-License-Identifier: Apache-2.0
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Puts `backlog` back on a listening socket after NIO adopted it.
///
/// Why this is needed: in NIO 2.101.2 `ServerSocketChannel(socket:)` — used by every
/// `ServerBootstrap.withBoundSocket`/`bind(_ socket:)` variant — calls `listen(128)`
/// while the channel is created, before any `serverChannelOption` is applied, and never
/// listens again for an adopted socket. So `.serverChannelOption(.backlog, …)` alone
/// does not help; a second `listen()` with the original value does (the kernel just
/// updates the limit of a listening socket).
///
///     let backlog = adoptionBacklog(fd: fd)          // before NIO touches the socket
///     let server = try await bootstrap.bind(fd, …)   // NIO's listen(128)
///     try restoreListenBacklog(fd, to: backlog)
public func restoreListenBacklog(_ fd: CInt, to backlog: Int32) throws(ListenBacklogError) {
    guard listen(fd, backlog) == 0 else { throw .system(call: "listen", errno: errno) }
}

extension ServerBootstrap {
    /// `withBoundSocket(fd)` that keeps the accept-queue limit systemd configured
    /// (`Backlog=`) instead of NIO's 128. See ``restoreListenBacklog(_:to:)``.
    public func withBoundSocketPreservingBacklog(_ fd: CInt) -> EventLoopFuture<Channel> {
        let backlog = adoptionBacklog(fd: fd)
        // The option too, so `channel.getOption(.backlog)` tells the truth.
        return self.serverChannelOption(.backlog, value: ChannelOptions.Types.BacklogOption.Value(backlog))
            .withBoundSocket(fd)
            .flatMapThrowing { channel in
                // On the channel's loop, so nothing else uses the socket concurrently from NIO's side.
                do {
                    try restoreListenBacklog(fd, to: backlog)
                } catch {
                    channel.close(promise: nil)
                    throw error
                }
                return channel
            }
    }
}
