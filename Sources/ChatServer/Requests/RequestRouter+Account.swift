import ChatProtocol
import ChatStore

extension RequestRouter {
    func register(_ request: RegisterMes, from origin: Origin) async -> RequestOutcome {
        let user = request.user
        let logger = self.log("register", origin, user: user.userid)
        let perAddress = self.configuration.current.registrationsPerAddress
        if self.registrations.isOver(origin.address, limit: perAddress).over {
            logger.warning("registration throttled", metadata: ["chat_event": "register_throttled"])
            return .reply(.registerResult(RegisterResMes(code: StatusCode.rateLimited, error: "too many registrations from your address, try later")))
        }
        do {
            try await self.store.register(id: user.userid, username: user.username, password: user.userpwd)
            self.registrations.record(origin.address)
            logger.info("user registered")
            return .reply(.registerResult(RegisterResMes(code: StatusCode.ok)))
        } catch {
            let (code, text): (Int, String)
            switch error {
            case .userExists: (code, text) = (StatusCode.badRequest, "user id \(user.userid) is already registered")
            case .invalidInput(let why): (code, text) = (StatusCode.badRequest, why)
            case .unavailable: (code, text) = (StatusCode.storeUnavailable, "the store is unavailable, try again later")
            default: (code, text) = (StatusCode.noSuchUser, "registration failed")
            }
            logger.notice("registration refused", metadata: ["reason": .string(text)])
            return .reply(.registerResult(RegisterResMes(code: code, error: text)))
        }
    }

    func login(_ request: LoginMes, from origin: Origin) async -> RequestOutcome {
        let logger = self.log("login", origin, user: request.userid)
        if origin.user != nil {
            return .reply(.loginResult(LoginResMes(code: StatusCode.badRequest, error: "this session is already logged in")))
        }
        let limits = self.configuration.current
        // Per (user, source): an attacker elsewhere cannot lock the owner out.
        let userKey = "\(request.userid)@\(origin.address)"
        let addressKey = "address:\(origin.address)"
        let withToken = request.token?.isEmpty == false
        // Only password attempts wait: a token costs an HMAC, not an scrypt hash, and a
        // valid one always gets in (a bad one counts as a failure below).
        if !withToken {
            let byUser = self.loginBackoff.wait(userKey)
            let byAddress = self.loginFailures.isOver(addressKey, limit: limits.loginFailuresPerAddress)
            if byUser > .zero || byAddress.over {
                // Checked before any password work, so a guessing flood costs no scrypt.
                let wait = max(byUser, byAddress.over ? byAddress.retryAfter : .zero)
                let seconds = (wait.nanoseconds + 999_999_999) / 1_000_000_000
                logger.warning("login throttled", metadata: ["chat_event": "login_throttled", "by": .string(byUser > .zero ? "user" : "address")])
                return .reply(.loginResult(LoginResMes(code: StatusCode.rateLimited, error: "too many failed logins, try again in \(seconds) s")))
            }
        }
        if self.hub.sessions(of: request.userid).count >= limits.maxSessionsPerUser {
            return .reply(.loginResult(LoginResMes(code: StatusCode.rateLimited, error: "too many sessions for this user")))
        }
        let record: UserRecord
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
            case .unavailable: (code, text) = (StatusCode.storeUnavailable, "the store is unavailable, try again later")
            default: (code, text) = (StatusCode.noSuchUser, "login failed")
            }
            if code == StatusCode.wrongPassword || code == StatusCode.noSuchUser {
                self.loginBackoff.failed(userKey, free: limits.loginFailuresPerUser)
                self.loginFailures.record(addressKey)
            }
            logger.notice("login refused", metadata: ["reason": .string(text)])
            return .reply(.loginResult(LoginResMes(code: code, error: text)))
        }

        let identity = UserIdentity(id: record.id, username: record.username)
        let session = SessionInfo(id: origin.session, user: identity, peer: origin.peer,
                                  connectedAt: origin.connectedAt, stats: origin.stats, channel: origin.channel)
        let firstHere = self.hub.registry.add(session)
        // The connection may have gone while we checked the password; its
        // channelInactive may already have run, so undo what it could not see.
        guard origin.channel.isActive else {
            await self.sessionEnded(origin.session, deliberate: false)
            return RequestOutcome(close: true)
        }
        logger.info("logged in")
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
            cameOnline = (try? await self.store.presenceUp(node: self.hub.node, user: identity.id, name: identity.username, ttl: ttl)) ?? true
        }
        if cameOnline || !self.hub.isOnline(identity.id) {
            await self.hub.announce(identity, online: true)
        }

        let lifetime = self.configuration.current.tokenLifetime
        let token = lifetime > .zero ? try? await self.store.issueToken(for: record, lifetime: lifetime) : nil
        var replies = [
            self.hub.loginReply(LoginResMes(code: StatusCode.ok, username: identity.username, token: token), for: identity.id),
            ServerMessage.offline(await self.missed(by: identity, cameOnline: cameOnline || resumed, origin: origin)).frame(),
        ]
        let motd = self.configuration.current.messageOfTheDay
        if !motd.isEmpty {
            replies.append(ServerMessage.sms(SmsMes(content: motd, userid: 0, username: "server")).frame())
        }
        return RequestOutcome(replies: replies, loggedIn: identity)
    }

    private func missed(by user: UserIdentity, cameOnline: Bool, origin: Origin) async -> OfflineMes {
        // Another session was online: nothing was missed.
        guard cameOnline else { return OfflineMes(messages: []) }
        do {
            let missed = try await self.store.collectMissed(for: user.id)
            var notes: [String] = []
            if missed.moreGroup { notes.append("older group messages") }
            if missed.morePrivate { notes.append("older private messages") }
            let note = notes.isEmpty ? nil : "not shown: " + notes.joined(separator: " and ") + "; page back with HistoryMes"
            return OfflineMes(messages: missed.messages, more: !notes.isEmpty, note: note)
        } catch {
            self.log("offline", origin, user: user.id).warning("could not read missed messages", metadata: ["error": "\(error)"])
            return OfflineMes(messages: [], more: true, note: "missed messages unavailable: the store did not answer")
        }
    }

    /// A session closed (logout, drop, kick). When it was the user's last, the others
    /// are told and the room counts as seen up to now.
    /// A session that dropped (not `deliberate`: no logout, no kick) leaves its user
    /// online for `presence_grace`, in case it reconnects.
    func sessionEnded(_ id: SessionID, deliberate: Bool) async {
        await self.inFlight.run { await self.endSession(id, deliberate: deliberate) }
    }

    private func endSession(_ id: SessionID, deliberate: Bool) async {
        guard let (session, wasLast) = self.hub.registry.remove(id) else { return }
        var logger = self.logger
        logger[metadataKey: "chat_event"] = "logout"
        logger[metadataKey: "chat_session_id"] = .string(id.rawValue)
        logger[metadataKey: "chat_user_id"] = .stringConvertible(session.user.id)
        logger.info("session ended")
        guard wasLast else { return }
        do {
            try await self.store.markRoomSeen(by: session.user.id)
        } catch {
            logger.warning("could not record what the user has seen", metadata: ["error": "\(error)"])
        }
        let grace = self.configuration.current.presenceGrace
        guard grace > .zero, !deliberate else {
            await self.departed(session.user)
            return
        }
        let generation = self.hub.departures.begin(session.user)
        Task {
            try? await Task.sleep(for: grace)
            guard self.hub.departures.finish(session.user.id, generation: generation),
                  self.hub.sessions(of: session.user.id).isEmpty else { return }
            await self.departed(session.user)
        }
    }

    /// `user` has no session here any more: if none elsewhere either, everyone is told.
    private func departed(_ user: UserIdentity) async {
        let ttl = self.configuration.current.presenceTTL
        let goneEverywhere = (try? await self.store.presenceDown(node: self.hub.node, user: user.id, ttl: ttl)) ?? true
        if goneEverywhere {
            await self.hub.announce(user, online: false)
        }
    }
}
