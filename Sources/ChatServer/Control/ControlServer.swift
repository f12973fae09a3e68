// SPDX-License-Identifier: Apache-2.0
import ControlProtocol
import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// Where the control socket comes from.
public enum ControlListenerSource: Sendable, Equatable {
    /// Bound by us: any stale socket file is replaced, and the file is created with
    /// mode 0660 from the start (umask), never chmod-ed after bind.
    case bind(path: String)
    case adopt(fd: CInt, backlog: Int32)
}

/// Serves the control API on a Unix-domain stream socket, to administrators only.
public final class ControlServer: Service, Sendable {
    let api: ControlAPI
    let source: ControlListenerSource
    /// The admin group's id, given the socket when chatd binds it itself.
    let socketGroup: UInt32?
    let readiness: Readiness?
    let policy: AdminPolicyBox
    let group: any EventLoopGroup
    let logger: Logger
    let connections: ControlConnections

    /// Administrators are few and chatctl holds a connection for one request: more
    /// open at once than this is a script gone wrong, or someone holding sockets.
    public static let maxConnections = 64

    /// `policy` is read at each connection, and each open connection is checked again
    /// when it is swapped (reload). `reload` re-reads the daemon's configuration (for
    /// `config.reload`).
    /// `readiness` is told "control" once it serves.
    public init(
        server: ChatServer,
        source: ControlListenerSource,
        socketGroup: UInt32?,
        policy: AdminPolicyBox,
        readiness: Readiness? = nil,
        logger: Logger,
        reload: @escaping @Sendable () async -> ReloadOutcome
    ) {
        self.api = ControlAPI(server: server, logger: logger, reload: reload)
        self.source = source
        self.socketGroup = socketGroup
        self.readiness = readiness
        self.policy = policy
        self.group = server.group
        self.logger = logger
        let connections = ControlConnections(limit: Self.maxConnections)
        self.connections = connections
        policy.onChange { policy in Self.recheck(connections, under: policy, logger: logger) }
    }

    /// Closes the open connections whose caller `policy` no longer admits.
    static func recheck(_ connections: ControlConnections, under policy: AdminPolicy, logger: Logger) {
        for (channel, caller) in connections.admittedCallers {
            ControlConnectionHandler.allows(caller, policy: policy, on: channel.eventLoop).whenSuccess { allowed in
                guard !allowed else { return }
                logger.warning(
                    "control connection closed: no longer an administrator",
                    metadata: [
                        "chat_event": "admin_refused", "peer_uid": "\(caller.uid)", "peer_gid": "\(caller.gid)",
                        "peer_pid": "\(caller.pid)",
                    ]
                )
                ControlConnectionHandler.reply(ControlResponse(id: nil, error: .permissionDenied()), on: channel)
                    .whenComplete { _ in
                        channel.close(promise: nil)
                    }
            }
        }
    }

    /// Serves until a graceful shutdown. In a service group it comes before the chat
    /// server, so it stops after it: admins can watch a drain or a handover.
    public func run() async throws {
        let channel = try await self.listen(self.source, group: self.socketGroup)
        self.readiness?.ready("control")
        try? await gracefulShutdown()
        try? await channel.close()
    }

    /// `group`: when chatd binds the socket itself, the admin group is given the
    /// socket (mode stays 0660), so its members need not be in chatd's own group.
    /// systemd's socket unit does this with SocketGroup= when it binds.
    func listen(_ source: ControlListenerSource, group: UInt32? = nil) async throws -> any Channel {
        let bootstrap = ServerBootstrap(group: self.group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    guard self.connections.add(channel) else {
                        let full = ControlError.unavailable(
                            "too many control connections (\(Self.maxConnections) open), try again later"
                        )
                        ControlConnectionHandler.reply(ControlResponse(id: nil, error: full), on: channel).whenComplete
                        { _ in
                            channel.close(promise: nil)
                        }
                        return
                    }
                    let handlers = channel.pipeline.syncOperations
                    try handlers.addHandler(ByteToMessageHandler(LineFrameDecoder(maxLength: 1 << 20)))
                    try handlers.addHandler(
                        ControlConnectionHandler(
                            api: self.api,
                            policy: self.policy,
                            connections: self.connections,
                            logger: self.logger
                        )
                    )
                }
            }
        switch source {
        case .bind(let path):
            try? FileManager.default.removeItem(atPath: path)
            let previous = umask(0o117)
            defer { umask(previous) }
            let channel = try await bootstrap.bind(unixDomainSocketPath: path).get()
            // Only narrows who may connect (to root, chatd and the group): no window opens.
            if let group, chown(path, uid_t.max, group) != 0 {
                self.logger.notice(
                    "control socket stays in chatd's group: cannot give it to the admin group",
                    metadata: ["gid": "\(group)", "errno": "\(errno)"]
                )
            }
            return channel
        case .adopt(let fd, let backlog):
            return try await bootstrap.adopt(fd: fd, backlog: backlog)
        }
    }
}
