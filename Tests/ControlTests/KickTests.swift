// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import ChatTesting
import ControlProtocol
import TestTier
import Testing

/// Kicks and notices, seen from the chat clients' side.
@Suite(.integration) struct KickTests {
    @Test func kickOneSessionOfAUserWithTwo() async throws {
        try await Deployment.with { chatd in
            try await chatd.register(1...2)
            let kicked = try await chatd.login(1)
            let kept = try await chatd.login(1)
            let observer = try await chatd.login(2)

            let sessions = try await chatd.chatctl("--json", "sessions", "--user", "1").json["sessions"]?.array ?? []
            let target = try #require(sessions.first { $0["peer"]?.string == kicked.peer }?["session_id"]?.string)

            let result = try await chatd.chatctl("kick", target, "--reason", "flooding the lobby")
            #expect(result.status == 0)
            #expect(result.stdout == "kicked \(target)\n")

            // The kicked session is told why, then closed.
            let last = try await kicked.collectUntilClosed()
            #expect(last.contains { if case .kicked(let k) = $0 { k.reason == "flooding the lobby" } else { false } })

            // The other session of the same user still works: its message reaches the observer.
            try await kept.send(.sms(SmsMes(content: "still here")))
            let seen = try await observer.next {
                if case .sms(let m) = $0, m.content == "still here" { m } else { nil }
            }
            #expect(seen.userid == 1)
            let left = try await chatd.chatctl("--json", "sessions", "--user", "1").json["sessions"]?.array ?? []
            #expect(left.compactMap { $0["peer"]?.string } == [kept.peer])

            // JSON mode, and an id that is gone: exit 1, the message on stderr.
            let again = try await chatd.chatctl("--json", "kick", target)
            #expect(again.status == 1)
            #expect(again.stderr == "chatctl: no such session: \(target)\n")
            await kept.close()
            await observer.close()
        }
    }

    @Test func kickManyInJSONAndKickUser() async throws {
        try await Deployment.with { chatd in
            try await chatd.register(1...2)
            let a = try await chatd.login(1)
            let b = try await chatd.login(1)
            let observer = try await chatd.login(2)
            let ids = (try await chatd.chatctl("--json", "sessions", "--user", "1").json["sessions"]?.array ?? [])
                .compactMap { $0["session_id"]?.string }
            #expect(ids.count == 2)

            // One live id and one unknown: the live one is kicked, and chatctl exits 1 naming the other.
            let mixed = try await chatd.chatctl("--json", "kick", ids[0], "000000000000")
            #expect(mixed.status == 1)
            #expect(try mixed.json["kicked"]?.array == [.string(ids[0])])
            #expect(mixed.stderr == "chatctl: no such session: 000000000000\n")

            let user = try await chatd.chatctl("kick-user", "1", "--reason", "maintenance")
            #expect(user.status == 0)
            #expect(user.stdout == "kicked 1 session of user 1\n")
            for client in [a, b] {
                let messages = try await client.collectUntilClosed()
                #expect(messages.contains { if case .kicked = $0 { true } else { false } })
            }
            // Presence follows: user 1 went offline.
            let offline = try await observer.next {
                if case .notifyUserStatus(let n) = $0, n.userid == 1, n.status == UserStatus.offline { n } else { nil }
            }
            #expect(offline.userid == 1)

            let none = try await chatd.chatctl("--json", "kick-user", "1")
            #expect(none.status == 0)
            #expect(try none.json["kicked"]?.array == [])
            await observer.close()
        }
    }

    @Test func broadcastReachesEveryoneAsTheServer() async throws {
        try await Deployment.with { chatd in
            try await chatd.register(1...2)
            let one = try await chatd.login(1)
            let two = try await chatd.login(2)

            let human = try await chatd.chatctl("broadcast", "restart at 17:00")
            #expect(human.status == 0)
            #expect(human.stdout == "sent to 2 sessions\n")
            for client in [one, two] {
                let notice = try await client.next { if case .sms(let m) = $0, m.userid == 0 { m } else { nil } }
                #expect(notice.username == "server")
                #expect(notice.content == "restart at 17:00")
            }

            let json = try await chatd.chatctl("--json", "broadcast", "second notice")
            #expect(try json.json["recipients"]?.int == 2)
            let second = try await one.next { if case .sms(let m) = $0, m.userid == 0 { m } else { nil } }
            #expect(second.content == "second notice")

            // Not kept in group history.
            try await one.send(.history(HistoryMes(limit: 50)))
            let history = try await one.next { if case .history(let h) = $0 { h } else { nil } }
            #expect(!history.messages.contains { $0.content.contains("notice") || $0.content.contains("restart") })
            await one.close()
            await two.close()
        }
    }
}
