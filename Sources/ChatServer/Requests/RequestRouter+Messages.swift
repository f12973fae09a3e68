// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import ChatStore

extension RequestRouter {
    /// Stored first, then fanned out, then acknowledged: no ack for what Redis does not have.
    func groupMessage(_ sms: SmsMes, from user: UserIdentity, origin: Origin) async -> RequestOutcome {
        guard !sms.content.isEmpty else {
            return .reply(.smsResult(SmsResMes(code: StatusCode.badRequest, error: "empty message")))
        }
        let ticket = self.groupDispatches.begin()
        defer { self.groupDispatches.end(ticket) }
        let stored: StoredMessage
        do {
            stored = try await self.store.appendGroup(from: user.id, username: user.username, content: sms.content)
        } catch {
            self.log("message", origin).warning("group message not acknowledged", metadata: ["error": "\(error)"])
            let (code, text) = Self.notAcknowledged(error)
            return .reply(.smsResult(SmsResMes(code: code, error: text)))
        }
        // The sender's fields come from the session, never from the client's frame.
        let frame = ServerMessage.sms(
            SmsMes(
                content: sms.content,
                userid: user.id,
                username: user.username,
                id: stored.id,
                ts: stored.ts
            )
        ).frame()
        await self.hub.broadcast(frame, except: origin.session)
        return .reply(.smsResult(SmsResMes(code: StatusCode.ok, id: stored.id, ts: stored.ts)))
    }

    func privateMessage(_ message: PrivateMes, from user: UserIdentity, origin: Origin) async -> RequestOutcome {
        guard !message.content.isEmpty else {
            return .reply(.privateResult(PrivateResMes(code: StatusCode.badRequest, error: "empty message")))
        }
        let stored: StoredMessage
        do {
            stored = try await self.store.appendPrivate(
                from: user.id,
                username: user.username,
                to: message.to,
                content: message.content
            )
        } catch .noSuchUser {
            return .reply(.privateResult(PrivateResMes(code: StatusCode.notFound, error: "no user \(message.to)")))
        } catch {
            self.log("message", origin).warning("private message not acknowledged", metadata: ["error": "\(error)"])
            let (code, text) = Self.notAcknowledged(error)
            return .reply(.privateResult(PrivateResMes(code: code, error: text)))
        }
        let frame = ServerMessage.privateMessage(
            PrivateMes(
                to: message.to,
                content: message.content,
                from: user.id,
                username: user.username,
                id: stored.id,
                ts: stored.ts
            )
        ).frame()
        // Whichever node writes it to a session of the recipient marks it delivered;
        // until then it waits in their inbox (they may be within their grace, gone).
        let deliveredHere = await self.hub.send(frame, toUser: message.to, inboxEntry: stored.inboxEntry) > 0
        let delivered = deliveredHere || self.hub.isOnline(message.to)
        // The sender's other devices see what they sent.
        if message.to != user.id { await self.hub.send(frame, toUser: user.id, except: origin.session) }
        return .reply(
            .privateResult(PrivateResMes(code: StatusCode.ok, id: stored.id, ts: stored.ts, delivered: delivered))
        )
    }

    /// Why a message got no acknowledgement: not stored (503), or perhaps stored (504),
    /// when Redis took it and did not answer in time.
    static func notAcknowledged(_ error: StoreError) -> (Int, String) {
        if error == .outcomeUnknown {
            return (
                StatusCode.outcomeUnknown,
                "outcome unknown: the store did not answer in time and may have the message; check history before sending it again"
            )
        }
        return (StatusCode.storeUnavailable, "not stored: the store is unavailable")
    }

    func onlineUsers() -> RequestOutcome {
        let users = self.hub.onlineUsers.map {
            OnlineUser(userid: $0.id, username: $0.username, status: UserStatus.online)
        }
        return .reply(.onlineUsers(OnlineUsersResMes(users: users)))
    }

    func history(_ request: HistoryMes, for user: UserIdentity) async -> RequestOutcome {
        let limit = request.limit ?? self.configuration.current.historyDefaultLimit
        do {
            let page = try await self.store.history(
                for: user.id,
                with: request.with,
                before: request.before,
                limit: limit
            )
            return .reply(.history(HistoryResMes(messages: page.messages, more: page.more)))
        } catch .invalidInput(let why) {
            return .reply(.history(HistoryResMes(code: StatusCode.badRequest, error: why)))
        } catch {
            return .reply(.history(HistoryResMes(code: StatusCode.storeUnavailable, error: "the store is unavailable")))
        }
    }
}
