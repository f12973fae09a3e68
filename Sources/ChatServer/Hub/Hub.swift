// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import ChatStore
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// Delivers frames to logged-in sessions, on this node and — over the Redis bus — on
/// the others. A frame is encoded once by the caller and the same bytes go to every
/// recipient; each event loop writes to its own channels in one pass.
public final class Hub: Sendable {
    let local = LocalDelivery()
    var registry: SessionRegistry { self.local.registry }
    /// This node's id on the bus and in presence.
    public let node: String
    /// Where bus messages go; nil: a single node that talks to no one.
    let store: ChatStore?
    let logger: Logger
    /// Users online on any node, with names: kept from local logins and the bus.
    private let online = NIOLockedValueBox(OnlineList())

    private struct OnlineList {
        var users: [Int: String] = [:] {
            didSet { self.listing = nil }
        }
        /// The ids as a login reply lists them, encoded once per change of the list:
        /// in a reconnect storm it stays the same for thousands of logins.
        var listing: LoginListing?
    }

    /// What login replies list while the online list is unchanged: every online id,
    /// or — above `limit` users — `limit` of them, the caller's among them (a reply
    /// listing 100,000 ids is 700 KB, and 100,000 such replies are 70 GB; past about
    /// 1,100 ids a seed client cannot read it at all).
    private struct LoginListing {
        let limit: Int
        let ids: LoginResMes.EncodedIDs
        /// When `ids` are only a part: which they are (`limit - 1` of them), and one
        /// more to list first when the caller is among them; else the caller is.
        let partial: (listed: Set<Int>, spare: Int)?

        init(_ users: [Int: String], limit: Int) {
            self.limit = limit
            if limit == 0 || users.count <= limit {
                self.ids = LoginResMes.EncodedIDs(users.keys)
                self.partial = nil
            } else {
                let some = users.keys.prefix(limit)
                let listed = Set(some.dropFirst())
                self.ids = LoginResMes.EncodedIDs(listed)
                self.partial = (listed, some.first!)  // users.count > limit ≥ 1: not empty
            }
        }
    }
    let presence: PresenceBatcher
    /// Users in their grace after their last session here ended.
    let departures = Departures()

    private let configuration: ConfigurationBox

    init(node: String, store: ChatStore?, configuration: ConfigurationBox, logger: Logger) {
        self.node = node
        self.store = store
        self.configuration = configuration
        self.logger = logger
        self.presence = PresenceBatcher { [local] batch in local.deliver(batch) }
    }

    // MARK: Cluster-wide

    /// To every logged-in session on every node but `except` and `exceptUser`'s.
    func broadcast(_ frame: ByteBuffer, except: SessionID? = nil, exceptUser: Int? = nil) async {
        self.local.deliver(frame, except: except, exceptUser: exceptUser)
        await self.publish(
            BusMessage(
                node: node,
                kind: .deliver,
                frame: Self.body(of: frame),
                exceptSession: except?.rawValue,
                exceptUser: exceptUser
            )
        )
    }

    /// To every session of `user` on every node (but `except`); returns how many of
    /// this node's sessions were written to. A node that writes it to one of the
    /// user's sessions marks `inboxEntry` delivered (this one included).
    @discardableResult
    func send(_ frame: ByteBuffer, toUser user: Int, except: SessionID? = nil, inboxEntry: String? = nil) async -> Int {
        let written = self.local.send(frame, toUser: user, except: except)
        if written > 0, let inboxEntry { await self.markDelivered(inboxEntry, to: user) }
        if self.store != nil {
            await self.publish(
                BusMessage(
                    node: node,
                    kind: .deliver,
                    frame: Self.body(of: frame),
                    toUser: user,
                    exceptSession: except?.rawValue,
                    inboxEntry: written > 0 ? nil : inboxEntry
                )
            )
        }
        return written
    }

    private func markDelivered(_ entry: String, to user: Int) async {
        do {
            try await self.store?.markDelivered(to: user, inboxEntry: entry)
        } catch {
            self.logger.warning("could not mark a private message delivered", metadata: ["error": "\(error)"])
        }
    }

    /// A user came online or went offline on the cluster: everyone else is told.
    func announce(_ user: UserIdentity, online: Bool) async {
        self.applyPresence(user, online: online)
        await self.publish(BusMessage(node: node, kind: .presence, user: user.id, name: user.username, online: online))
    }

    /// Shutdown: sessions are about to close, so no one here needs presence notices
    /// (and the event loops that would carry them stop soon after).
    /// Writes every fan-out handed to the event loops so far now (see `LocalDelivery.flushPending`).
    func flushPending() async {
        await self.local.flushPending()
    }

    /// On `loop` only: writes what is gathered for its sessions now, so that a session
    /// closing after a logout gets the messages fanned out to it before.
    func flushGathered(on loop: any EventLoop) {
        self.local.flushGathered(on: loop)
    }

    func stopNotices(flushing: Bool = false) {
        self.presence.stop(flushing: flushing)
    }

    /// Asks the other nodes to close every session of `user` (this node kicks its own).
    func kickElsewhere(user: Int, reason: String) async {
        await self.publish(BusMessage(node: node, kind: .kick, user: user, reason: reason))
    }

    public func isOnline(_ user: Int) -> Bool {
        self.online.withLockedValue { $0.users[user] != nil }
    }

    /// `user`'s login reply, listing the ids of users online on every node in no
    /// order: at many thousands online it must not pay for a sort, nor for encoding
    /// them again while the list has not changed. Above `presence_notices_max_users`
    /// it lists that many, `user` among them, and says how many are online.
    func loginReply(_ reply: LoginResMes, for user: Int) -> ByteBuffer {
        self.presence.noteLogin()
        let limit = self.configuration.current.presenceNoticesMaxUsers
        let (listing, count) = self.online.withLockedValue { online in
            if let listing = online.listing, listing.limit == limit { return (listing, online.users.count) }
            let listing = LoginListing(online.users, limit: limit)
            online.listing = listing
            return (listing, online.users.count)
        }
        guard let partial = listing.partial else { return reply.frame(listing: listing.ids) }
        var reply = reply
        reply.online = count
        return reply.frame(listing: listing.ids, leading: partial.listed.contains(user) ? partial.spare : user)
    }

    /// Online users on every node, sorted by id.
    public var onlineUsers: [UserIdentity] {
        self.online.withLockedValue { $0.users.map { UserIdentity(id: $0.key, username: $0.value) } }.sorted {
            $0.id < $1.id
        }
    }

    // MARK: From the bus

    /// Applies what another node said.
    func received(_ message: BusMessage) {
        guard message.node != self.node else { return }
        switch message.kind {
        case .deliver:
            guard let body = message.frame else { return }
            let frame = FrameEncoder.frame(Array(body.utf8))
            if let user = message.toUser {
                let written = self.local.send(
                    frame,
                    toUser: user,
                    except: message.exceptSession.map(SessionID.init(rawValue:))
                )
                if written > 0, let entry = message.inboxEntry {
                    Task { await self.markDelivered(entry, to: user) }
                }
            } else {
                self.local.deliver(
                    frame,
                    except: message.exceptSession.map(SessionID.init(rawValue:)),
                    exceptUser: message.exceptUser
                )
            }
        case .presence:
            guard let user = message.user, let online = message.online else { return }
            self.applyPresence(UserIdentity(id: user, username: message.name ?? ""), online: online)
        case .kick:
            let reason = message.reason ?? "kicked by an administrator"
            if let session = message.session, let local = self.registry.session(SessionID(rawValue: session)) {
                SessionCommand.kick(local.channel, reason: reason)
            } else if let user = message.user {
                self.kickLocally(user: user, reason: reason)
            }
        case .query:
            break  // the cluster's questions go to ClusterQuery (ClusterMembership.run)
        }
    }

    /// Replaces the online list (at start, from Redis).
    func resetOnline(_ users: [Int: String]) {
        let local = self.registry.onlineUsers
        self.online.withLockedValue { online in
            var all = users
            for user in local { all[user.id] = user.username }
            online.users = all
        }
    }

    // MARK: This node

    private func applyPresence(_ user: UserIdentity, online: Bool) {
        let (changed, count) = self.online.withLockedValue { list -> (Bool, Int) in
            if online {
                return (list.users.updateValue(user.username, forKey: user.id) == nil, list.users.count)
            }
            return (list.users.removeValue(forKey: user.id) != nil, list.users.count)
        }
        guard changed || !online else { return }
        let limit = self.configuration.current.presenceNoticesMaxUsers
        guard limit == 0 || count <= limit else { return }
        self.presence.record(user, online: online)
    }

    @discardableResult
    private func kickLocally(user: Int, reason: String) -> Int {
        let sessions = self.registry.sessions(of: user)
        for session in sessions {
            SessionCommand.kick(session.channel, reason: reason)
        }
        return sessions.count
    }

    private func publish(_ message: BusMessage) async {
        guard let store = self.store else { return }
        do {
            try await store.publish(message)
        } catch {
            self.logger.warning(
                "could not tell the other nodes",
                metadata: ["error": "\(error)", "bus_kind": "\(message.kind.rawValue)"]
            )
        }
    }

    /// The envelope JSON of a frame (its length prefix dropped).
    static func body(of frame: ByteBuffer) -> String {
        String(buffer: frame.getSlice(at: frame.readerIndex + 4, length: frame.readableBytes - 4) ?? ByteBuffer())
    }

    public var counts: (sessions: Int, users: Int) { self.registry.counts }
    public var sessions: [SessionInfo] { self.registry.allSessions }
    public func sessions(of user: Int) -> [SessionInfo] { self.registry.sessions(of: user) }
    /// Users with a session on this node.
    public var localUsers: [UserIdentity] { self.registry.onlineUsers }
}
