import Foundation
import Logging
import NIOCore
import NIOPosix

/// Where the control socket comes from.
public enum ControlListenerSource: Sendable, Equatable {
    /// Bound by us: any stale socket file is replaced, and the file is created with
    /// mode 0660 from the start (umask), never chmod-ed after bind.
    case bind(path: String)
    case adopt(fd: CInt, backlog: Int32)
}

/// Serves the control API on a Unix-domain stream socket.
public final class ControlServer: Sendable {
    let api: ControlAPI
    let group: any EventLoopGroup
    let logger: Logger

    public init(server: ChatServer, logger: Logger) {
        self.api = ControlAPI(server: server, logger: logger)
        self.group = server.group
        self.logger = logger
    }

    public func listen(_ source: ControlListenerSource) async throws -> any Channel {
        let bootstrap = ServerBootstrap(group: self.group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let handlers = channel.pipeline.syncOperations
                    try handlers.addHandler(ByteToMessageHandler(LineFrameDecoder(maxLength: 1 << 20)))
                    try handlers.addHandler(ControlConnectionHandler(api: self.api, logger: self.logger))
                }
            }
        switch source {
        case .bind(let path):
            try? FileManager.default.removeItem(atPath: path)
            let previous = umask(0o117)
            defer { umask(previous) }
            return try await bootstrap.bind(unixDomainSocketPath: path).get()
        case .adopt(let fd, let backlog):
            return try await bootstrap.adopt(fd: fd, backlog: backlog)
        }
    }
}
