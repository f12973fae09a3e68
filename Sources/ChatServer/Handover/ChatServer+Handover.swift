// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension ChatServer {
    /// True when sessions can outlive this process (systemd keeps a store for it).
    public var canHandOver: Bool { self.handover != nil }

    /// From now on this node stays registered when it stops: call before ending the
    /// cluster task, then `handOver`.
    public func beginHandover() {
        self.handingOver.store(true, ordering: .relaxed)
    }

    public struct HandoverSummary: Sendable {
        /// Sessions passed on to the next process.
        public var kept = 0
        /// Sessions told to reconnect instead (TLS, not logged in, not reading, store full).
        public var closed = 0
    }

    /// The orderly stop that keeps every user: sessions stop reading and answer what they
    /// have queued; then each flushes what it was sent and closes its descriptor without
    /// ending the session, and the state the next process needs goes into the store.
    /// Call after the listeners are closed.
    public func handOver() async -> HandoverSummary {
        guard let handover = self.handover else { return HandoverSummary() }
        self.beginHandover()
        self.hub.stopNotices(flushing: true)
        let channels = self.connections.all
        await self.quiesce(channels)
        let passed = channels.map { channel in
            let promise = channel.eventLoop.makePromise(of: HandedOverSession?.self)
            channel.pipeline.fireUserInboundEventTriggered(HandoverCommand.handOver(promise))
            return promise.futureResult
        }
        var state = HandoverState(node: self.hub.node)
        state.departing = Dictionary(self.hub.departures.users.map { ($0.id, $0.username) }) { first, _ in first }
        var summary = HandoverSummary()
        // One wait for all: thousands of awaits one by one cost more than the work.
        let results = (try? await EventLoopFuture.whenAllComplete(passed, on: self.group.any()).get()) ?? []
        for result in results {
            guard case .success(let passed) = result, let session = passed else {
                summary.closed += 1
                continue
            }
            state.sessions[session.inode] = HandoverState.Session(
                unfinished: session.unfinished.map { Array($0.readableBytesView) },
                received: session.received,
                sent: session.sent
            )
            summary.kept += 1
        }
        do {
            try handover.leave(state)
        } catch {
            // The sockets stay kept; the next process re-checks each session as after a crash.
            self.logger.error("could not store the handover state", metadata: ["error": "\(error)"])
        }
        // Closed ones (kicked, or never passed on) finish closing.
        let closed = channels.map(\.closeFuture)
        try? await EventLoopFuture.andAllComplete(closed, on: self.group.any()).get()
        await self.router.inFlight.waitUntilIdle()
        return summary
    }

    public struct AdoptionSummary: Sendable {
        /// Sessions carried on from an orderly stop.
        public var resumed = 0
        /// Sessions carried on after a crash, their users checked in Redis first.
        public var rechecked = 0
        /// Sockets closed: unknown, duplicate, or their user may no longer be here.
        public var closed = 0
        public var total: Int { resumed + rechecked + closed }
        /// The sessions carried on, not reading yet (see `resumeReading`).
        var taken: [any Channel] = []
    }

    /// Takes over the sessions the previous process left in the store. Call after
    /// joining the cluster (so presence is known) and before serving new connections.
    /// They read again once `resumeReading` is called.
    public func adopt() async -> AdoptionSummary {
        guard let handover = self.handover else { return AdoptionSummary() }
        let (descriptors, entries) = handover.takePassed()
        let state = descriptors.handover.flatMap(HandoverState.read(from:))
        if let fd = descriptors.handover { handover.forgetHandover(fd) }
        var byInode: [UInt64: SessionTable.Entry] = [:]
        for entry in entries { byInode[entry.inode] = entry }
        var summary = AdoptionSummary()
        var taken = Set<SessionID>()
        var matched: [(fd: CInt, restored: RestoredSession, orderly: Bool)] = []
        for fd in descriptors.sessions {
            guard let inode = SessionHandover.inode(fd), let entry = byInode[inode], !taken.contains(entry.session)
            else {
                Self.discard(fd)
                summary.closed += 1
                continue
            }
            taken.insert(entry.session)
            var restored = RestoredSession(
                id: entry.session,
                user: UserIdentity(id: entry.user, username: entry.username),
                inode: inode,
                connectedAt: entry.connectedAt,
                tokenFamily: entry.tokenFamily
            )
            let kept = state?.sessions[inode]
            if let kept {
                restored.stats.messagesIn.store(kept.received, ordering: .relaxed)
                restored.stats.messagesOut.store(kept.sent, ordering: .relaxed)
                restored.unfinished = kept.unfinished.map { ByteBuffer(bytes: $0) }
            }
            matched.append((fd, restored, kept != nil))
        }
        // A crash: the stream may have stopped inside a frame, and an admin may have
        // disabled or deleted a user meanwhile. The frame reader refuses what does not
        // parse; the users are checked here, all at once.
        let notices = await self.recheck(Set(matched.filter { !$0.orderly }.map(\.restored.user.id)))
        // Every socket is set up at once, on its own loop.
        let restoring = matched.map { ($0, self.restore($0.fd, $0.restored)) }
        var cameBack: [Int: UserIdentity] = [:]
        var reading: [any Channel] = []
        let channels =
            (try? await EventLoopFuture.whenAllComplete(restoring.map(\.1), on: self.group.any()).get()) ?? []
        for (((fd, restored, orderly), _), result) in zip(restoring, channels) {
            do {
                let channel = try result.get()
                handover.adopted()
                reading.append(channel)
                if let notice = notices[restored.user.id] {
                    SessionCommand.kick(channel, notice)
                    summary.closed += 1
                } else {
                    cameBack[restored.user.id] = restored.user
                    if orderly { summary.resumed += 1 } else { summary.rechecked += 1 }
                }
            } catch {
                self.logger.warning(
                    "could not take over a session",
                    metadata: ["error": "\(error)", "chat_session_id": "\(restored.id)"]
                )
                handover.table.clear(restored.id)
                Self.discard(fd)
                summary.closed += 1
            }
        }
        summary.taken = reading
        for entry in entries where !taken.contains(entry.session) {
            handover.table.clear(entry.session)
        }
        let grace = self.configuration.current.presenceGrace
        for (id, name) in state?.departing ?? [:] {
            guard self.hub.sessions(of: id).isEmpty else { continue }
            self.hub.departures.begin(UserIdentity(id: id, username: name), grace: grace)
        }
        // After an orderly stop the cluster still lists them; after a crash long enough
        // for another node to declare this one dead, they are announced again.
        for user in cameBack.values where !self.hub.isOnline(user.id) {
            await self.hub.announce(user, online: true)
        }
        return summary
    }

    /// Lets the sessions taken over read again. Only once every one is registered, so a
    /// message one of them sends reaches all; and after the start's own Redis round trips
    /// and listeners, which would otherwise queue behind what the users sent meanwhile.
    public func resumeReading(_ adoption: AdoptionSummary) {
        for channel in adoption.taken {
            channel.setOption(.autoRead, value: true).whenSuccess { channel.read() }
        }
    }

    /// Users who may not carry on after a crash, with what they are told. One whose
    /// record Redis cannot give now carries on (the next login checks it anyway).
    private func recheck(_ users: Set<Int>) async -> [Int: KickedMes] {
        await withTaskGroup(of: (Int, Bool).self) { checks in
            for user in users {
                checks.addTask {
                    do {
                        guard let record = try await self.store.user(id: user), !record.disabled else {
                            return (user, false)
                        }
                        return (user, true)
                    } catch {
                        return (user, true)
                    }
                }
            }
            var refused: [Int: KickedMes] = [:]
            for await (user, valid) in checks where !valid {
                refused[user] = KickedMes(reason: "your account changed while the server restarted; log in again")
            }
            return refused
        }
    }

    private func restore(_ fd: CInt, _ restored: RestoredSession) -> EventLoopFuture<any Channel> {
        let configuration = self.configuration.current
        return ClientBootstrap(group: self.group)
            .channelOption(.allowRemoteHalfClosure, value: true)
            // Read once every session is taken over (see adopt), not as each is set up.
            .channelOption(.autoRead, value: false)
            .channelOption(
                .recvAllocator,
                value: AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 256, maximum: 65536)
            )
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    _ = self.connections.track(channel, maxConnections: .max, perSource: 0)
                    try self.setUp(channel, configuration: configuration, handover: self.handover, restored: restored)
                    // Registered before the channel reads anything, so fan-out reaches it at once.
                    let peer = channel.remoteAddress.map(SessionHandler.describe) ?? "?"
                    _ = self.hub.registry.add(
                        SessionInfo(
                            id: restored.id,
                            user: restored.user,
                            peer: peer,
                            connectedAt: restored.connectedAt,
                            stats: restored.stats,
                            channel: channel,
                            tokenFamily: restored.tokenFamily
                        )
                    )
                }
            }
            .withConnectedSocket(fd)
    }

    /// A kept socket no session will use: shut down, so systemd drops its copy too.
    private static func discard(_ fd: CInt) {
        _ = shutdown(fd, CInt(SHUT_RDWR))
        close(fd)
    }
}
