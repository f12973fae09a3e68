// SPDX-License-Identifier: Apache-2.0

import ChatProtocol
import ChatTesting
import ControlProtocol
import Foundation
import TestTier
import Testing

/// The read-only commands, each in human and JSON form, against live sessions.
@Suite(.integration) struct ReadingTests {
    @Test func statusStatsUsersAndSessionsInBothModes() async throws {
        try await Deployment.with { chatd in
            try await chatd.register(1...2)
            let first = try await chatd.login(1)
            let second = try await chatd.login(1)
            let other = try await chatd.login(2)

            let status = try await chatd.chatctl("status")
            #expect(status.status == 0)
            #expect(status.lines.contains { $0.hasPrefix("sessions:") && $0.hasSuffix(" 3") })
            #expect(status.lines.contains { $0.hasPrefix("redis:") && $0.hasSuffix(" up") })
            let statusJSON = try await chatd.chatctl("--json", "status").json
            #expect(statusJSON["sessions"]?.int == 3)
            #expect(statusJSON["users_online"]?.int == 2)

            let stats = try await chatd.chatctl("stats")
            #expect(stats.status == 0)
            #expect(stats.lines.contains { $0.hasPrefix("messages in:") })
            let statsJSON = try await chatd.chatctl("stats", "--json").json
            #expect(statsJSON["sessions"]?.int == 3)
            #expect((statsJSON["messages_in"]?.int ?? 0) >= 3)  // three logins at least

            let users = try await chatd.chatctl("users")
            #expect(users.status == 0)
            #expect(
                users.lines.first?.split(separator: " ", omittingEmptySubsequences: true) == [
                    "USER", "NAME", "SESSIONS",
                ]
            )
            #expect(
                users.lines.dropFirst().map { $0.split(separator: " ").map(String.init) } == [
                    ["1", "user1", "2"], ["2", "user2", "1"],
                ]
            )
            let usersJSON = try await chatd.chatctl("--json", "users").json
            #expect(usersJSON["users"]?.array?.compactMap { $0["user_id"]?.int } == [1, 2])

            let sessions = try await chatd.chatctl("sessions")
            #expect(sessions.status == 0)
            #expect(
                sessions.lines.first?.split(separator: " ").map(String.init)
                    == ["SESSION", "USER", "NAME", "PEER", "CONNECTED", "SINCE", "IDLE", "IN", "OUT"]
            )
            #expect(sessions.lines.count == 4)
            for client in [first, second, other] {
                #expect(sessions.lines.contains { $0.contains(client.peer) })
            }
            let mine = try await chatd.chatctl("--json", "sessions", "--user", "1").json
            let rows = mine["sessions"]?.array ?? []
            #expect(Set(rows.compactMap { $0["peer"]?.string }) == [first.peer, second.peer])
            for row in rows {
                #expect(row["session_id"]?.string?.count == 12)
                #expect(row["username"]?.string == "user1")
                #expect(row["connected_at"]?.int64 != nil)
                #expect(row["idle_seconds"]?.int != nil)
                #expect((row["messages_in"]?.int ?? 0) >= 1)
                #expect((row["messages_out"]?.int ?? 0) >= 1)
            }
            let mineHuman = try await chatd.chatctl("sessions", "--user", "1")
            #expect(mineHuman.lines.count == 3)
            #expect(!mineHuman.stdout.contains(other.peer))
        }
    }

    @Test func userShowAndListRedactThePassword() async throws {
        try await Deployment.with { chatd in
            try await chatd.register(1...3)
            let client = try await chatd.login(2)

            let show = try await chatd.chatctl("user", "show", "2")
            #expect(show.status == 0)
            #expect(show.lines.contains { $0.hasPrefix("username:") && $0.hasSuffix("user2") })
            #expect(show.lines.contains { $0.hasPrefix("password:") && $0.hasSuffix("<redacted>") })
            #expect(show.lines.contains { $0.hasPrefix("sessions:") && $0.hasSuffix(" 1") })
            #expect(!show.stdout.contains("scrypt"))

            let json = try await chatd.chatctl("--json", "user", "show", "2").json
            let user = json["user"]
            #expect(user?["user_id"]?.int == 2)
            #expect(user?["disabled"]?.bool == false)
            #expect(user?["password"]?.string == "<redacted>")
            #expect(user?["last_login"]?.int64 != nil)
            #expect(user?["created"]?.int64 != nil)

            let list = try await chatd.chatctl("user", "list")
            #expect(list.status == 0)
            #expect(
                list.lines.first?.split(separator: " ").map(String.init) == [
                    "USER", "NAME", "DISABLED", "CREATED", "LAST", "LOGIN",
                ]
            )
            #expect(
                list.lines.dropFirst().compactMap { $0.split(separator: " ").first.map(String.init) } == [
                    "1", "2", "3",
                ]
            )
            #expect(!list.stdout.contains("scrypt"))
            let listJSON = try await chatd.chatctl("user", "list", "--json").json
            #expect(listJSON["users"]?.array?.compactMap { $0["username"]?.string } == ["user1", "user2", "user3"])

            let missing = try await chatd.chatctl("user", "show", "99")
            #expect(missing.status == 1)
            #expect(missing.stderr == "chatctl: no user 99\n")
            await client.close()
        }
    }

    /// More users than one SCAN page: chatctl follows the cursor to the end.
    @Test func userListPagesThroughScan() async throws {
        // 30 registrations from one address: past the default per-address limit.
        try await Deployment.with(config: "registrations_per_address = 0\n") { chatd in
            try await chatd.register(1...30)
            var seen: Set<Int> = []
            var cursor = "0"
            var pages = 0
            repeat {
                let page = try await RawControlConnection.connect(chatd.socket).exchange(
                    #"{"jsonrpc":"2.0","id":1,"method":"user.list","params":{"cursor":"\#(cursor)","count":5}}"# + "\n",
                    replies: 1
                )
                let reply = try JSONValue.decode(page[0])
                for user in reply["result"]?["users"]?.array ?? [] { seen.insert(user["user_id"]?.int ?? 0) }
                cursor = reply["result"]?["cursor"]?.string ?? "0"
                pages += 1
            } while cursor != "0"
            #expect(seen == Set(1...30))
            #expect(pages > 1)
            let list = try await chatd.chatctl("--json", "user", "list").json
            #expect(list["users"]?.array?.count == 30)
        }
    }
}

extension JSONValue {
    static func decode(_ line: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(line.utf8))
    }
}
