// SPDX-License-Identifier: Apache-2.0
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

extension ServerBootstrap {
    /// Adopts an already listening socket (from systemd) keeping its accept-queue limit:
    /// NIO calls listen(128) on adoption, so the original backlog is put back afterwards.
    package func adopt(fd: CInt, backlog: Int32) async throws -> any Channel {
        let channel = try await self.serverChannelOption(.backlog, value: backlog).withBoundSocket(fd).get()
        guard listen(fd, backlog) == 0 else {
            let error = errno
            try? await channel.close()
            throw IOError(errnoCode: error, reason: "listen(\(fd), \(backlog))")
        }
        return channel
    }
}
