// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import ChatTesting
import NIOCore
import TestTier
import Testing

/// How presence notices are batched, held back for a reconnect, and ordered after a
/// login's reply.
@Suite(.integration) struct PresenceTests {
    /// Notices are batched per interval; each user's own notice is cut out of the
    /// batch their sessions get, and every notice still reaches everyone else.
    @Test func aLoginBurstIsAnnouncedToEveryoneButTheUserThemself() async throws {
        try await Deployment.with(environment: ["CHATD_REGISTRATIONS_PER_ADDRESS": "0"]) { d in
            let observer = try await d.user(1, "obs")
            let ids = Array(10..<20)
            let clients = try await withThrowingTaskGroup(of: (Int, TestChatClient).self) { group in
                for id in ids { group.addTask { (id, try await d.user(id, "u\(id)")) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            var heard = Set<Int>()
            while heard.count < ids.count {
                let notice = try await observer.next(Pick.notify)
                #expect(notice.status == UserStatus.online)
                heard.insert(notice.userid)
            }
            #expect(heard == Set(ids))
            // A marker after the notices: whatever a client was told of presence
            // before it arrives, it must not be about itself.
            try await observer.send(.sms(SmsMes(content: "marker")))
            for (id, client) in clients {
                while true {
                    let message = try await client.next()
                    if case .notifyUserStatus(let notice) = message { #expect(notice.userid != id) }
                    if case .sms(let sms) = message, sms.content == "marker" { break }
                }
            }
        }
    }

    /// Every client's first frame after LoginMes is its LoginResMes, even while
    /// others' notices and messages are being fanned out: seed clients read exactly
    /// one frame as the login reply.
    @Test func theLoginReplyComesBeforeAnyFanOut() async throws {
        try await Deployment.with(environment: [
            "CHATD_REGISTRATIONS_PER_ADDRESS": "0", "CHATD_RATE_LIMIT": "0",
            "CHATD_CONNECTIONS_PER_ADDRESS": "0",
        ]) { d in
            let talker = try await d.user(1, "talker")
            for id in 100..<130 { _ = try await d.client().register(id, name: "u\(id)", password: "pw") }
            let chatter = Task {
                for n in 0..<200 { try await talker.send(.sms(SmsMes(content: "m\(n)"))) }
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for id in 100..<130 {
                    group.addTask {
                        // 30 logins at once may fill the password-hashing queue: "busy" (503)
                        // is a fair answer then, and still must be the first frame. Try again.
                        for _ in 0..<20 {
                            let client = try await d.client()
                            try await client.send(.login(LoginMes(userid: id, userpwd: "pw")))
                            let first = try await client.next()
                            guard case .loginResult(let reply) = first else {
                                Issue.record("first frame after LoginMes was \(first.type), not LoginResMes")
                                return
                            }
                            if reply.code == StatusCode.storeUnavailable, reply.error.contains("busy") {
                                await client.close()
                                continue
                            }
                            #expect(reply.code == StatusCode.ok)
                            return
                        }
                        Issue.record("user \(id): still busy after 20 tries")
                    }
                }
                try await group.waitForAll()
            }
            try await chatter.value
        }
    }

    /// A user who drops and comes back within `presence_grace` was never gone for
    /// the others: they hear nothing until the user really leaves. What was sent to
    /// the user meanwhile, to the room and to them in private, is in their OfflineMes.
    @Test func aReconnectWithinTheGraceNotifiesNoOneAndLosesNothing() async throws {
        try await Deployment.with(environment: ["CHATD_PRESENCE_GRACE": "30"]) { d in
            let bob = try await d.user(2, "bob")
            let carol = try await d.user(3, "carol")
            let alice = try await d.user(1, "alice")
            _ = try await bob.next { m -> Bool? in
                if case .notifyUserStatus(let n) = m, n.userid == 1 { true } else { nil }
            }

            await alice.close()
            try await waitUntilNoSession(of: 1, on: d)
            try await carol.send(.sms(SmsMes(content: "while alice was away")))
            #expect(try await carol.next(Pick.smsResult).code == StatusCode.ok)
            try await carol.send(.privateMessage(PrivateMes(to: 1, content: "psst")))
            #expect(try await carol.next(Pick.privateResult).code == StatusCode.ok)

            let back = try await d.client()
            let (login, offline) = try await back.login(1, password: "pw")
            #expect(login.code == StatusCode.ok)
            let missed = try #require(offline).messages.map(\.content)
            #expect(missed.contains("while alice was away"))
            #expect(missed.contains("psst"))

            // Bob's next frames: carol's message, then — nothing about alice until
            // a marker proves the reconnect is long done.
            #expect(try await bob.next(Pick.sms).content == "while alice was away")
            try await carol.send(.sms(SmsMes(content: "marker")))
            while true {
                let message = try await bob.next()
                if case .notifyUserStatus(let notice) = message {
                    Issue.record("bob was told \(notice.userid) is \(notice.status) during a reconnect")
                }
                if case .sms(let sms) = message, sms.content == "marker" { break }
            }
        }
    }

    /// A LogoutMes is announced at once, also when the client closes right after it
    /// (as `chat /quit` does) and the server sees the end before the request.
    @Test func aLogoutFollowedByACloseIsAnnouncedWithoutGrace() async throws {
        try await Deployment.with(environment: ["CHATD_PRESENCE_GRACE": "30"]) { d in
            let bob = try await d.user(2, "bob")
            let alice = try await d.user(1, "alice")
            #expect(try await bob.next(Pick.notify).status == UserStatus.online)
            let bytes = ClientMessage.logout.frame()
            try await alice.sendRaw(bytes)
            await alice.close()
            let notice = try await bob.next(Pick.notify)
            #expect(notice.userid == 1 && notice.status == UserStatus.offline)
        }
    }

    /// Past the grace, the others are told once.
    @Test func theOthersAreToldOnceTheGraceIsOver() async throws {
        try await Deployment.with(environment: ["CHATD_PRESENCE_GRACE": "1"]) { d in
            let bob = try await d.user(2, "bob")
            let alice = try await d.user(1, "alice")
            #expect(try await bob.next(Pick.notify).status == UserStatus.online)
            await alice.close()
            let notice = try await bob.next(Pick.notify)
            #expect(notice.userid == 1 && notice.status == UserStatus.offline)
            let online = try await d.client()
            _ = try await online.login(2, password: "pw")
            try await online.send(.onlineUsers)
            #expect(try await online.next(Pick.online).users.map(\.userid) == [2])
        }
    }
}

extension PresenceTests {
    /// Above `presence_notices_max_users` online, arrivals are not announced one by
    /// one and a login reply lists that many ids, the caller's among them, with the
    /// count; the online list a client asks for stays complete.
    @Test func noNoticesAndAPartialLoginListAboveTheLimit() async throws {
        try await Deployment.with(environment: ["CHATD_PRESENCE_NOTICES_MAX_USERS": "2"]) { d in
            let ann = try await d.user(1, "ann")
            let bob = try await d.user(2, "bob")
            #expect(try await ann.next(Pick.notify).userid == 2)
            let carol = try await d.client()
            _ = try await carol.register(3, name: "carol", password: "pw")
            let (login, _) = try await carol.login(3, password: "pw")
            #expect(
                login.userIds.count == 2 && login.userIds.contains(3) && Set(login.userIds).isSubset(of: [1, 2, 3])
            )
            #expect(login.online == 3)
            try await carol.send(.onlineUsers)
            #expect(try await carol.next(Pick.online).users.map(\.userid) == [1, 2, 3])
            // Ann leaves: two online again, so that is announced — in the batch carol's
            // arrival would be in, or a later one. Bob hears of ann, never of carol.
            // (Ann's own arrival may reach bob too, if her batch left after his login.)
            try await ann.send(.logout)
            while true {
                let notice = try await bob.next(Pick.notify)
                if notice.userid == 3 { Issue.record("bob was told of carol: \(notice)") }
                if notice.userid == 1 && notice.status == UserStatus.offline { break }
            }
        }
    }
}

/// Asks chatd (`chatctl sessions`) until `user` has no session left: the server has
/// seen the connection drop, which no client can observe during the grace.
func waitUntilNoSession(of user: Int, on d: Deployment) async throws {
    let gone = try await d.waitUntilChatctl(["sessions", "--user", String(user)]) { !$0.contains("\"session_id\"") }
    if !gone { Issue.record("user \(user) still has a session") }
}
