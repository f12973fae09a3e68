// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import ChatStore
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// The chat service of one node: accepts connections, runs sessions, and at a graceful
/// shutdown hands them to the next process (or drains them). It does not know where its
/// listening sockets came from. Its `run` (ChatServer+Service.swift) owns its loops.
public final class ChatServer: Sendable {
    public let hub: Hub
    let cluster: ClusterMembership
    /// This node's sessions and counters, for the control API and the other nodes.
    let report: NodeReport
    /// Questions to every node, and this node's answers.
    let queries: ClusterQuery
    public let configuration: ConfigurationBox
    public let store: ChatStore
    let router: RequestRouter
    let connections = ConnectionTracker()
    public let group: any EventLoopGroup
    let logger: Logger
    /// Keeps sessions across restarts (systemd's store); nil: a restart ends them.
    let handover: SessionHandover?
    /// Set at an orderly stop that hands the sessions on: this node does not leave.
    let handingOver = Atomic<Bool>(false)
    let listeners: Listeners
    let readiness: Readiness?
    let idleSweeper: IdleSweeper

    /// What the chat service listens on.
    public struct Listeners: Sendable {
        public var chat: ListenerSource
        public var tls: (source: ListenerSource, context: NIOSSLContext)?

        public init(chat: ListenerSource, tls: (source: ListenerSource, context: NIOSSLContext)? = nil) {
            self.chat = chat
            self.tls = tls
        }
    }

    /// `readiness` is told "chat" (with `chat_listen`, `tls_listen`) once it serves.
    public init(
        store: ChatStore,
        configuration: ServerConfiguration,
        group: any EventLoopGroup,
        logger: Logger,
        listeners: Listeners,
        readiness: Readiness? = nil,
        handover: SessionHandover? = nil
    ) {
        self.listeners = listeners
        self.readiness = readiness
        self.store = store
        self.configuration = ConfigurationBox(configuration)
        self.group = group
        self.logger = logger
        self.handover = handover
        self.hub = Hub(
            node: handover?.node ?? SessionID.random().rawValue,
            store: store,
            configuration: self.configuration,
            logger: logger
        )
        self.report = NodeReport(hub: self.hub, connections: self.connections, store: store)
        self.queries = ClusterQuery(
            node: self.hub.node,
            report: self.report,
            store: store,
            ttl: configuration.presenceTTL,
            logger: logger
        )
        self.cluster = ClusterMembership(
            hub: self.hub,
            queries: self.queries,
            store: store,
            ttl: configuration.presenceTTL,
            logger: logger
        )
        self.router = RequestRouter(store: store, hub: self.hub, configuration: self.configuration, logger: logger)
        self.idleSweeper = IdleSweeper(registry: self.hub.registry, configuration: self.configuration)
    }

    /// Starts accepting on `source`; the returned channel is the listening socket.
    /// With `tls`, every connection is a TLS server connection first: the chat
    /// protocol runs inside it unchanged, and a peer that does not complete the
    /// handshake is closed without reaching a session.
    func listen(_ source: ListenerSource, tls: NIOSSLContext? = nil) async throws -> any Channel {
        let bootstrap = ServerBootstrap(group: self.group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            // IPPROTO_TCP; at SOL_SOCKET, 1 is SO_DEBUG (root only).
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelOption(.socketOption(.so_keepalive), value: 1)
            .childChannelOption(.autoRead, value: true)
            // The session sees the peer's end as an event and closes through its handler,
            // which shuts a kept socket down first (see SessionHandler.close).
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            // NIO keeps each connection's last receive buffer for reuse: start it small
            // (chat frames are small; it grows for a big one), so an idle session holds
            // 256 bytes, not the default 2 KiB.
            .childChannelOption(
                .recvAllocator,
                value: AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 256, maximum: 65536)
            )
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try self.initialize(channel, tls: tls)
                }
            }
        switch source {
        case .bind(let host, let port):
            return try await bootstrap.serverChannelOption(.backlog, value: 4096).bind(host: host, port: port).get()
        case .adopt(let fd, let backlog):
            return try await bootstrap.adopt(fd: fd, backlog: backlog)
        }
    }

    private func initialize(_ channel: any Channel, tls: NIOSSLContext?) throws {
        let configuration = self.configuration.current
        let admission = self.connections.track(
            channel,
            maxConnections: configuration.maxConnections,
            perSource: configuration.connectionsPerAddress
        )
        do {
            if let tls {
                // First, so that everything after it, a refusal included, is encrypted.
                try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
            }
            switch admission {
            case .admitted:
                try self.setUp(channel, configuration: configuration, handover: tls == nil ? self.handover : nil)
            case .full:
                ServerMetrics.refused(.serverFull)
                self.refuse(channel, ErrorMes(code: StatusCode.storeUnavailable, error: "server full, try later"))
            case .sourceFull:
                ServerMetrics.refused(.perAddress)
                self.refuse(
                    channel,
                    ErrorMes(code: StatusCode.rateLimited, error: "too many connections from your address, try later")
                )
            }
        } catch {
            self.connections.untrack(channel)
            throw error
        }
    }

    /// Says why and closes; the close future untracks it (no session handler will).
    private func refuse(_ channel: any Channel, _ error: ErrorMes) {
        channel.closeFuture.whenComplete { _ in self.connections.untrack(channel) }
        channel.writeAndFlush(ServerMessage.error(error).frame()).whenComplete { _ in channel.close(promise: nil) }
    }

    /// The session's handler untracks the channel when it closes.
    func setUp(
        _ channel: any Channel,
        configuration: ServerConfiguration,
        handover: SessionHandover?,
        restored: RestoredSession? = nil
    ) throws {
        let bound = max(configuration.outboundQueueMax, 2)
        try channel.syncOptions?.setOption(.writeBufferWaterMark, value: .init(low: bound / 2, high: bound))
        let handlers = channel.pipeline.syncOperations
        try handlers.addHandler(
            FrameReader(
                maxFrameSize: configuration.maxFrameSize,
                timeout: configuration.frameTimeout,
                unfinished: restored?.unfinished
            )
        )
        try handlers.addHandler(
            SessionHandler(
                router: self.router,
                configuration: configuration,
                connections: self.connections,
                handover: handover,
                restored: restored
            )
        )
    }

    /// Stops nothing by itself: tells every connection the server is going down,
    /// lets requests in flight finish (their messages are stored and acknowledged),
    /// then closes. Connections still open at `deadline` are closed hard.
    func drain(reason: String = "server shutting down", deadline: NIODeadline) async {
        self.hub.stopNotices()
        let channels = self.connections.all
        // Kicked while another's message was still on its way, a session would miss it
        // and yet count the room as seen up to it when it ends: quiet everyone first.
        await self.quiesce(channels)
        for channel in channels {
            SessionCommand.kick(channel, KickedMes(reason: reason, reconnect: true))
        }
        let closed = EventLoopFuture.andAllComplete(channels.map(\.closeFuture), on: self.group.any())
        let timer = self.group.any().scheduleTask(deadline: deadline) {
            for channel in self.connections.all { channel.close(promise: nil) }
        }
        try? await closed.get()
        timer.cancel()
        await self.router.inFlight.waitUntilIdle()
    }

    /// The first round of every orderly stop: each session stops reading and answers what
    /// it has queued, the requests still running finish, and everything they fanned out
    /// is written. After it, no session has anything on its way to it.
    func quiesce(_ channels: [any Channel]) async {
        let paused = channels.map { channel in
            let promise = channel.eventLoop.makePromise(of: Void.self)
            // A channel closing meanwhile may never see the command: its close answers.
            channel.closeFuture.whenComplete { _ in promise.succeed() }
            channel.pipeline.fireUserInboundEventTriggered(HandoverCommand.pause(promise))
            return promise.futureResult
        }
        try? await EventLoopFuture.andAllComplete(paused, on: self.group.any()).get()
        await self.router.inFlight.waitUntilIdle()
        await self.hub.flushPending()
    }

    public var connectionCount: Int { self.connections.count }
}
