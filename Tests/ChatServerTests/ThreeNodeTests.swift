// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import ChatTesting
import Foundation
import TestTier
import Testing

/// Three chatd processes on one Redis behave as one server.
@Suite(.integration) struct ThreeNodeTests {
    @Test func threeNodesActAsOne() async throws {
        try await RedisServerProcess.with { redis in
            let environment = ["CHATD_PRESENCE_TTL": "2"]
            let nodes = [
                try await ChatdProcess.start(redisURL: redis.url, environment: environment),
                try await ChatdProcess.start(redisURL: redis.url, environment: environment),
                try await ChatdProcess.start(redisURL: redis.url, environment: environment),
            ]
            defer { for node in nodes { kill(node.pid, SIGKILL) } }
            let on = nodes.map { Deployment(redis: redis, chatd: $0) }

            let ann = try await on[0].user(1, "ann")
            let bob = try await on[1].user(2, "bob")
            // Presence crosses nodes: ann (node 0) hears bob (node 1) come online.
            #expect(
                try await ann.next(Pick.notify)
                    == NotifyUserStatusMes(userid: 2, status: UserStatus.online, username: "bob")
            )
            let carolClient = try await on[2].client()
            _ = try await carolClient.register(3, name: "carol", password: "pw")
            let (carolLogin, _) = try await carolClient.login(3, password: "pw")
            #expect(Set(carolLogin.userIds) == [1, 2, 3])
            let carol = carolClient
            _ = try await ann.next(Pick.notify)
            _ = try await bob.next(Pick.notify)

            try await carol.send(.onlineUsers)
            #expect(try await carol.next(Pick.online).users.map(\.userid) == [1, 2, 3])

            // Group messages reach every node.
            try await ann.send(.sms(SmsMes(content: "hello from node 0")))
            let ack = try await ann.next(Pick.smsResult)
            #expect(try await bob.next(Pick.sms).id == ack.id)
            #expect(try await carol.next(Pick.sms).id == ack.id)

            // Private messages too, and "delivered" knows the recipient is on another node.
            try await bob.send(.privateMessage(PrivateMes(to: 3, content: "psst")))
            #expect(try await bob.next(Pick.privateResult).delivered)
            #expect(try await carol.next(Pick.privateMessage).content == "psst")

            // A second session of bob on another node: no new presence notice; both get messages.
            let bob2 = try await on[2].client()
            _ = try await bob2.login(2, password: "pw")
            try await ann.send(.sms(SmsMes(content: "both of you")))
            _ = try await ann.next(Pick.smsResult)
            #expect(try await bob.next(Pick.sms).content == "both of you")
            #expect(try await bob2.next(Pick.sms).content == "both of you")

            // Bob leaves node 1 but is still on node 2: not offline. Then he leaves node 2: offline.
            await bob.close()
            await bob2.close()
            #expect(
                try await ann.next(Pick.notify)
                    == NotifyUserStatusMes(userid: 2, status: UserStatus.offline, username: "bob")
            )

            // Offline delivery works whatever node stores and whatever node delivers.
            try await ann.send(.privateMessage(PrivateMes(to: 2, content: "later")))
            #expect(try await ann.next(Pick.privateResult).delivered == false)
            let bobBack = try await on[2].client()
            let (_, missed) = try await bobBack.login(2, password: "pw")
            #expect(missed?.messages.map(\.content) == ["later"])
            _ = try await ann.next(Pick.notify)

            // A node that dies: its users go offline for the others once its presence expires.
            kill(nodes[2].pid, SIGKILL)
            var offline: Set<Int> = []
            while offline != [2, 3] {
                let notice = try await ann.next(Pick.notify, timeout: .seconds(30))
                if notice.status == UserStatus.offline { offline.insert(notice.userid) }
            }
            try await ann.send(.onlineUsers)
            #expect(try await ann.next(Pick.online).users.map(\.userid) == [1])
        }
    }
}
