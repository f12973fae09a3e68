// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import ChatTesting
import TestTier
import Testing

/// Three users doing what the seed's chat room does, and the exercises' extensions.
@Suite(.integration) struct ChatFlowTests {
    @Test func presenceGroupAndPrivateMessages() async throws {
        try await Deployment.with { d in
            let ann = try await d.user(100, "ann")
            let bob = try await d.user(200, "bob")
            #expect(try await ann.next(Pick.notify) == NotifyUserStatusMes(userid: 200, status: 0, username: "bob"))
            let carol = try await d.user(300, "carol")
            #expect(try await ann.next(Pick.notify).userid == 300)
            // Bob may first hear of ann: notices are batched (250 ms), so one about a user
            // who came online just before bob's login can follow his LoginResMes.
            #expect(
                try await bob.next { m -> Int? in
                    if case .notifyUserStatus(let n) = m, n.userid != 100 { n.userid } else { nil }
                } == 300
            )

            try await carol.send(.onlineUsers)
            #expect(try await carol.next(Pick.online).users.map(\.userid) == [100, 200, 300])

            // Group: everyone else gets the same stored message; the sender gets the ack.
            try await ann.send(.sms(SmsMes(content: "hi all")))
            let ack = try await ann.next(Pick.smsResult)
            #expect(ack.code == 200)
            let atBob = try await bob.next(Pick.sms)
            let atCarol = try await carol.next(Pick.sms)
            #expect(atBob.content == "hi all" && atBob.userid == 100 && atBob.id == ack.id)
            #expect(atCarol.id == ack.id)

            // Private: only the recipient.
            try await bob.send(.privateMessage(PrivateMes(to: 300, content: "psst")))
            let privateAck = try await bob.next(Pick.privateResult)
            #expect(privateAck.code == 200 && privateAck.delivered)
            let atCarolPrivate = try await carol.next(Pick.privateMessage)
            #expect(
                atCarolPrivate.from == 200 && atCarolPrivate.content == "psst" && atCarolPrivate.id == privateAck.id
            )

            // Unknown recipient.
            try await bob.send(.privateMessage(PrivateMes(to: 999, content: "anyone?")))
            #expect(try await bob.next(Pick.privateResult).code == 404)

            // Leaving: the others are told.
            try await carol.send(.logout)
            _ = try await carol.collectUntilClosed()
            #expect(try await ann.next(Pick.notify) == NotifyUserStatusMes(userid: 300, status: 1, username: "carol"))
            #expect(try await bob.next(Pick.notify).status == UserStatus.offline)

            // History: group, and one conversation.
            try await ann.send(.history(HistoryMes(limit: 10)))
            #expect(try await ann.next(Pick.history).messages.map(\.content) == ["hi all"])
            await carol.close()
            let carolAgain = try await d.client()
            _ = try await carolAgain.login(300, password: "pw")
            try await carolAgain.send(.history(HistoryMes(limit: 10, with: 200)))
            let conversation = try await carolAgain.next(Pick.history)
            #expect(conversation.messages.map(\.content) == ["psst"])
            #expect(conversation.messages.first?.to == 300)
        }
    }

    /// A dropped TCP connection counts as leaving.
    @Test func droppedConnectionNotifiesOthers() async throws {
        try await Deployment.with { d in
            let ann = try await d.user(100, "ann")
            let bob = try await d.user(200, "bob")
            _ = try await ann.next(Pick.notify)
            await bob.close()
            #expect(try await ann.next(Pick.notify) == NotifyUserStatusMes(userid: 200, status: 1, username: "bob"))
        }
    }

    /// Presence is per user: a second session does not re-announce, and only the
    /// last one leaving does.
    @Test func severalSessionsPerUser() async throws {
        try await Deployment.with { d in
            let ann = try await d.user(100, "ann")
            let bob1 = try await d.user(200, "bob")
            #expect(try await ann.next(Pick.notify).status == UserStatus.online)
            let bob2 = try await d.client()
            _ = try await bob2.login(200, password: "pw")

            // Both of bob's sessions get messages.
            try await ann.send(.sms(SmsMes(content: "one")))
            #expect(try await bob1.next(Pick.sms).content == "one")
            #expect(try await bob2.next(Pick.sms).content == "one")
            try await ann.send(.privateMessage(PrivateMes(to: 200, content: "two")))
            #expect(try await bob1.next(Pick.privateMessage).content == "two")
            #expect(try await bob2.next(Pick.privateMessage).content == "two")

            await bob1.close()
            // Still online: ann hears nothing about bob until the last session goes;
            // the next thing she sees is her own ack.
            try await ann.send(.sms(SmsMes(content: "still there?")))
            let next = try await ann.next()
            #expect(Pick.smsResult(next) != nil, "expected the ack, got \(next)")
            await bob2.close()
            #expect(try await ann.next(Pick.notify) == NotifyUserStatusMes(userid: 200, status: 1, username: "bob"))
        }
    }

    /// What arrives while all of a user's sessions are gone comes at the next login.
    @Test func offlineDelivery() async throws {
        try await Deployment.with { d in
            let ann = try await d.user(100, "ann")
            let bob = try await d.user(200, "bob")
            _ = try await ann.next(Pick.notify)
            try await bob.send(.logout)
            _ = try await bob.collectUntilClosed()
            _ = try await ann.next(Pick.notify)

            try await ann.send(.sms(SmsMes(content: "while you were out")))
            _ = try await ann.next(Pick.smsResult)
            try await ann.send(.privateMessage(PrivateMes(to: 200, content: "call me")))
            let ack = try await ann.next(Pick.privateResult)
            #expect(ack.code == 200 && !ack.delivered)

            let bobAgain = try await d.client()
            let (_, offline) = try await bobAgain.login(200, password: "pw")
            // Ann hears of it before bob leaves again: notices are batched, and an
            // online and an offline in one batch would cancel out.
            #expect(try await ann.next(Pick.notify).status == UserStatus.online)
            let missed = try #require(offline)
            #expect(Set(missed.messages.map(\.content)) == ["while you were out", "call me"])
            #expect(missed.messages.first { $0.content == "call me" }?.to == 200)
            #expect(!missed.more)

            // Delivered once: the next login has nothing.
            await bobAgain.close()
            #expect(try await ann.next(Pick.notify).status == UserStatus.offline)
            let third = try await d.client()
            let (_, nothing) = try await third.login(200, password: "pw")
            #expect(nothing?.messages.isEmpty == true)
        }
    }

    @Test func offlineBoundIsReported() async throws {
        try await Deployment.with(environment: ["CHATD_OFFLINE_MAX": "2"]) { d in
            let ann = try await d.user(100, "ann")
            let bob = try await d.user(200, "bob")
            _ = try await ann.next(Pick.notify)
            try await bob.send(.logout)
            _ = try await bob.collectUntilClosed()
            // Bob's session ends after his connection closes (what he has seen is recorded
            // then); ann is told he left once it has.
            #expect(try await ann.next(Pick.notify).status == UserStatus.offline)
            for i in 1...4 {
                try await ann.send(.sms(SmsMes(content: "m\(i)")))
                _ = try await ann.next(Pick.smsResult)
            }
            let bobAgain = try await d.client()
            let (_, offline) = try await bobAgain.login(200, password: "pw")
            let missed = try #require(offline)
            #expect(missed.messages.map(\.content) == ["m3", "m4"])
            #expect(missed.more)
            #expect(missed.note?.contains("older group messages") == true)
        }
    }

    /// A group message sent while a user logs out reaches them: before the close, or
    /// among the missed messages at their next login. (What a logout has seen was once
    /// recorded after the close, counting a message sent in between as seen.)
    @Test func aLogoutLosesNoGroupMessage() async throws {
        let count = 300
        try await Deployment.with(environment: ["CHATD_RATE_LIMIT": "0", "CHATD_OFFLINE_MAX": "\(count)"]) { d in
            let ann = try await d.user(100, "ann")
            let bob = try await d.user(200, "bob")
            _ = try await ann.next(Pick.notify)
            let sender = Task {
                for i in 1...count {
                    try await bob.send(.sms(SmsMes(content: "m\(i)")))
                    _ = try await bob.next(Pick.smsResult)
                }
            }
            // Ann leaves in the middle of the stream.
            while try await ann.next(Pick.sms).content != "m20" {}
            try await ann.send(.logout)
            let beforeClose = try await ann.collectUntilClosed()
            try await sender.value
            let annAgain = try await d.client()
            let (result, offline) = try await annAgain.login(100, password: "pw")
            #expect(result.code == StatusCode.ok)
            let received = Set(beforeClose.compactMap(Pick.sms).map(\.content))
            let missed = Set(try #require(offline).messages.map(\.content))
            let lost = (21...count).map { "m\($0)" }.filter { !received.contains($0) && !missed.contains($0) }
            #expect(lost.isEmpty, "neither delivered nor kept: \(lost)")
        }
    }

    @Test func historyPaging() async throws {
        try await Deployment.with { d in
            let ann = try await d.user(100, "ann")
            for i in 1...5 {
                try await ann.send(.sms(SmsMes(content: "m\(i)")))
                _ = try await ann.next(Pick.smsResult)
            }
            try await ann.send(.history(HistoryMes(limit: 3)))
            let page1 = try await ann.next(Pick.history)
            #expect(page1.messages.map(\.content) == ["m5", "m4", "m3"])
            #expect(page1.more)
            try await ann.send(.history(HistoryMes(before: page1.messages.last?.id, limit: 3)))
            let page2 = try await ann.next(Pick.history)
            #expect(page2.messages.map(\.content) == ["m2", "m1"])
            #expect(!page2.more)
            try await ann.send(.history(HistoryMes(before: "junk", limit: 3)))
            #expect(try await ann.next(Pick.history).code == 400)
        }
    }
}
