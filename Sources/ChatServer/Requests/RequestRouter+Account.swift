// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import ChatStore
import Logging

extension RequestRouter {
    func register(_ request: RegisterMes, from origin: Origin) async -> RequestOutcome {
        let user = request.user
        let logger = self.log("register", origin, user: user.userid)
        let limits = self.configuration.current
        guard limits.registrationOpen else {
            logger.notice("registration refused", metadata: ["reason": "registration is closed"])
            ServerMetrics.registration(.failed)
            return .reply(
                .registerResult(
                    RegisterResMes(
                        code: StatusCode.wrongPassword,
                        error: "registration is closed on this server; ask an administrator for an account"
                    )
                )
            )
        }
        // Every attempt counts, refused ones too: each may cost a password hash.
        if await self.registrations.admit(origin.address, limit: limits.registrationsPerAddress).over {
            logger.warning("registration throttled", metadata: ["chat_event": "register_throttled"])
            ServerMetrics.registration(.throttled)
            return .reply(
                .registerResult(
                    RegisterResMes(
                        code: StatusCode.rateLimited,
                        error: "too many registrations from your address, try later"
                    )
                )
            )
        }
        do {
            try await self.store.register(id: user.userid, username: user.username, password: user.userpwd)
            logger.info("user registered")
            ServerMetrics.registration(.ok)
            return .reply(.registerResult(RegisterResMes(code: StatusCode.ok)))
        } catch {
            let (code, text): (Int, String)
            switch error {
            case .userExists: (code, text) = (StatusCode.badRequest, "user id \(user.userid) is already registered")
            case .idRetired:
                (code, text) = (
                    StatusCode.badRequest,
                    "user id \(user.userid) belonged to a deleted user and cannot be registered again"
                )
            case .invalidInput(let why): (code, text) = (StatusCode.badRequest, why)
            case .busy: (code, text) = (StatusCode.storeUnavailable, "the server is busy, try again in a moment")
            case .unavailable: (code, text) = (StatusCode.storeUnavailable, "the store is unavailable, try again later")
            case .outcomeUnknown:
                (code, text) = (
                    StatusCode.outcomeUnknown,
                    "the store did not answer in time: the account may have been made, try logging in"
                )
            default: (code, text) = (StatusCode.noSuchUser, "registration failed")
            }
            logger.notice("registration refused", metadata: ["reason": .string(text)])
            ServerMetrics.registration(Self.outcome(code, text))
            return .reply(.registerResult(RegisterResMes(code: code, error: text)))
        }
    }

    func login(_ request: LoginMes, from origin: Origin) async -> RequestOutcome {
        let logger = self.log("login", origin, user: request.userid)
        if origin.user != nil {
            return .reply(
                .loginResult(LoginResMes(code: StatusCode.badRequest, error: "this session is already logged in"))
            )
        }
        let limits = self.configuration.current
        // Per (user, source): an attacker elsewhere cannot lock the owner out.
        let userKey = "\(request.userid)@\(origin.address)"
        let withToken = request.token?.isEmpty == false
        // Only password attempts wait: a token costs an HMAC, not an scrypt hash, and a
        // valid one always gets in (a bad one counts as a failure below).
        if !withToken {
            let byUser = self.loginBackoff.wait(userKey)
            let byAddress = await self.loginFailures.isOver(origin.address, limit: limits.loginFailuresPerAddress)
            if byUser > .zero || byAddress.over {
                // Checked before any password work, so a guessing flood costs no scrypt.
                let wait = max(byUser, byAddress.over ? byAddress.retryAfter : .zero)
                let seconds = (wait.nanoseconds + 999_999_999) / 1_000_000_000
                ServerMetrics.login(.throttled)
                logger.warning(
                    "login throttled",
                    metadata: ["chat_event": "login_throttled", "by": .string(byUser > .zero ? "user" : "address")]
                )
                return .reply(
                    .loginResult(
                        LoginResMes(
                            code: StatusCode.rateLimited,
                            error: "too many failed logins, try again in \(seconds) s"
                        )
                    )
                )
            }
        }
        if self.hub.sessions(of: request.userid).count >= limits.maxSessionsPerUser {
            return .reply(
                .loginResult(LoginResMes(code: StatusCode.rateLimited, error: "too many sessions for this user"))
            )
        }
        var record: UserRecord
        do {
            if let token = request.token, withToken {
                record = try await self.store.authenticate(id: request.userid, token: token)
            } else {
                record = try await self.store.authenticate(id: request.userid, password: request.userpwd)
                self.loginBackoff.succeeded(userKey)
            }
        } catch {
            let (code, text): (Int, String)
            switch error {
            case .noSuchUser: (code, text) = (StatusCode.noSuchUser, "no such user, register first")
            case .wrongPassword where request.token?.isEmpty == false:
                (code, text) = (StatusCode.wrongPassword, "invalid or expired token, log in with the password")
            case .wrongPassword: (code, text) = (StatusCode.wrongPassword, "wrong password")
            case .userDisabled: (code, text) = (StatusCode.wrongPassword, "this user is disabled")
            case .busy: (code, text) = (StatusCode.storeUnavailable, "the server is busy, try again in a moment")
            case .unavailable, .outcomeUnknown:
                (code, text) = (StatusCode.storeUnavailable, "the store is unavailable, try again later")
            default: (code, text) = (StatusCode.noSuchUser, "login failed")
            }
            if code == StatusCode.wrongPassword || code == StatusCode.noSuchUser {
                self.loginBackoff.failed(userKey, free: limits.loginFailuresPerUser)
                await self.loginFailures.record(origin.address)
            }
            logger.notice("login refused", metadata: ["reason": .string(text)])
            ServerMetrics.login(Self.outcome(code, text))
            return .reply(.loginResult(LoginResMes(code: code, error: text)))
        }

        // A password login starts a family of resume tokens; a token login continues its own.
        if record.tokenFamily == 0 { record.tokenFamily = ChatStore.newTokenFamily() }
        let identity = UserIdentity(id: record.id, username: record.username)
        let session = SessionInfo(
            id: origin.session,
            user: identity,
            peer: origin.peer,
            connectedAt: origin.connectedAt,
            stats: origin.stats,
            channel: origin.channel,
            tokenFamily: record.tokenFamily
        )
        let firstHere = self.hub.registry.add(session)
        // The connection may have gone while we checked the password; its
        // channelInactive may already have run, so undo what it could not see.
        guard origin.channel.isActive else {
            await self.sessionEnded(origin.session, ending: .dropped)
            return RequestOutcome(close: true)
        }
        logger.info("logged in")
        ServerMetrics.login(.ok)
        var cameOnline = false
        // Back within the grace after leaving this node: no one was told they left,
        // but what was sent meanwhile is theirs to see.
        var resumed = false
        if firstHere {
            resumed = self.hub.departures.cancel(identity.id)
        }
        if firstHere && !resumed {
            let ttl = self.configuration.current.presenceTTL
            // If Redis cannot say, this node's view decides.
            cameOnline =
                (try? await self.store.presenceUp(
                    node: self.hub.node,
                    user: identity.id,
                    name: identity.username,
                    ttl: ttl
                )) ?? true
        }
        if cameOnline || !self.hub.isOnline(identity.id) {
            await self.hub.announce(identity, online: true)
        }

        let lifetime = self.configuration.current.tokenLifetime
        let token = lifetime > .zero ? try? await self.store.issueToken(for: record, lifetime: lifetime) : nil
        let (offline, seen) = await self.missed(by: identity, cameOnline: cameOnline || resumed, origin: origin)
        var replies = [
            self.hub.loginReply(
                LoginResMes(code: StatusCode.ok, username: identity.username, token: token),
                for: identity.id
            ),
            ServerMessage.offline(offline).frame(),
        ]
        let motd = self.configuration.current.messageOfTheDay
        if !motd.isEmpty {
            replies.append(ServerMessage.sms(SmsMes(content: motd, userid: 0, username: "server")).frame())
        }
        var outcome = RequestOutcome(replies: replies, loggedIn: identity)
        if let seen {
            // Only once the OfflineMes is on its way: a connection lost before keeps them missed.
            outcome.onWritten = { self.markSeen(seen, by: identity.id, origin: origin) }
        }
        return outcome
    }

    private func markSeen(_ seen: SeenCursors, by user: Int, origin: Origin) {
        self.inFlight.enter()
        Task {
            defer { self.inFlight.leave() }
            do { try await self.store.markSeen(by: user, seen) } catch {
                self.log("offline", origin, user: user).warning(
                    "could not record what the user was sent",
                    metadata: ["error": "\(error)"]
                )
            }
        }
    }

    /// What the user missed, and where their cursors go once it reached them.
    private func missed(by user: UserIdentity, cameOnline: Bool, origin: Origin) async -> (OfflineMes, SeenCursors?) {
        // Another session was online: nothing was missed.
        guard cameOnline else { return (OfflineMes(messages: []), nil) }
        do {
            let missed = try await self.store.collectMissed(for: user.id)
            var notes: [String] = []
            if missed.moreGroup { notes.append("older group messages") }
            if missed.morePrivate { notes.append("older private messages") }
            let note =
                notes.isEmpty ? nil : "not shown: " + notes.joined(separator: " and ") + "; page back with HistoryMes"
            return (OfflineMes(messages: missed.messages, more: !notes.isEmpty, note: note), missed.seen)
        } catch {
            self.log("offline", origin, user: user.id).warning(
                "could not read missed messages",
                metadata: ["error": "\(error)"]
            )
            return (
                OfflineMes(messages: [], more: true, note: "missed messages unavailable: the store did not answer"), nil
            )
        }
    }

    /// A session closed (logout, drop, kick). When it was the user's last, the others
    /// are told and the room counts as seen up to now.
    /// A session that dropped (no logout, no kick) leaves its user online for
    /// `presence_grace`, in case it reconnects. One that logged out loses its resume tokens.
    func sessionEnded(_ id: SessionID, ending: SessionEnding) async {
        await self.inFlight.run { await self.endSession(id, ending: ending) }
    }

    private func endSession(_ id: SessionID, ending: SessionEnding) async {
        guard let (session, wasLast) = self.hub.registry.remove(id) else { return }
        var logger = self.logger
        logger[metadataKey: "chat_event"] = "logout"
        logger[metadataKey: "chat_session_id"] = .string(id.rawValue)
        logger[metadataKey: "chat_user_id"] = .stringConvertible(session.user.id)
        logger.info("session ended")
        if ending == .loggedOut {
            do {
                try await self.store.revokeTokenFamily(
                    session.tokenFamily,
                    of: session.user.id,
                    lifetime: self.configuration.current.tokenLifetime
                )
            } catch {
                logger.warning("could not revoke the session's resume tokens", metadata: ["error": "\(error)"])
            }
        }
        let deliberate = ending != .dropped
        guard wasLast else { return }
        // A logout recorded it before closing (`recordSeenAtLogout`), if it was the last then.
        if ending != .loggedOut { await self.markRoomSeen(by: session.user.id, logger: logger) }
        let grace = self.configuration.current.presenceGrace
        guard grace > .zero, !deliberate else {
            await self.departed(session.user)
            return
        }
        self.hub.departures.begin(session.user, grace: grace)
    }

    /// A logout from the user's last session here records the room as seen while the
    /// session still receives: recorded after the close, a group message sent in between
    /// would count as seen without having been delivered. Then it waits for this node's
    /// group messages stored before the record to reach the session's event loop, which
    /// writes them before it closes the session (`SessionHandler`). A message stored after
    /// the record is kept offline, so it may be shown twice, never lost. Messages from other
    /// nodes arrive on the bus later: for those the record is as good as the bus is quick.
    func recordSeenAtLogout(of user: UserIdentity, session: SessionID) async {
        guard self.hub.sessions(of: user.id).allSatisfy({ $0.id == session }) else { return }
        var logger = self.logger
        logger[metadataKey: "chat_event"] = "logout"
        logger[metadataKey: "chat_session_id"] = .string(session.rawValue)
        logger[metadataKey: "chat_user_id"] = .stringConvertible(user.id)
        await self.markRoomSeen(by: user.id, logger: logger)
        await self.groupDispatches.waitForThoseBegun()
    }

    private func markRoomSeen(by user: Int, logger: Logger) async {
        do {
            try await self.store.markRoomSeen(by: user)
        } catch {
            logger.warning("could not record what the user has seen", metadata: ["error": "\(error)"])
        }
    }

    /// `user`'s grace ended (`Departures.run`): gone, unless a session came back meanwhile.
    func graceEnded(_ user: UserIdentity) async {
        guard self.hub.sessions(of: user.id).isEmpty else { return }
        await self.inFlight.run { await self.departed(user) }
    }

    /// `user` has no session here any more: if none elsewhere either, everyone is told.
    private func departed(_ user: UserIdentity) async {
        let ttl = self.configuration.current.presenceTTL
        let goneEverywhere = (try? await self.store.presenceDown(node: self.hub.node, user: user.id, ttl: ttl)) ?? true
        if goneEverywhere {
            await self.hub.announce(user, online: false)
        }
    }

    /// A refusal's code as the metrics count it.
    static func outcome(_ code: Int, _ text: String) -> ServerMetrics.Outcome {
        switch code {
        case StatusCode.rateLimited: .throttled
        case StatusCode.storeUnavailable where text.contains("busy"): .busy
        case StatusCode.storeUnavailable, StatusCode.outcomeUnknown: .unavailable
        default: .failed
        }
    }
}
