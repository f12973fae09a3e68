// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import ChatTesting
import NIOCore
import TestTier
import Testing

/// An unmodified seed client's bytes, built by hand, against the real chatd.
@Suite(.integration) struct SeedClientTests {
    @Test func seedRegisterLoginAndGroupMessage() async throws {
        try await Deployment.with { d in
            let ann = try await d.client()
            let login = try await seedRegisterAndLogin(ann, id: 100, name: "ann")
            #expect(login.code == 200)
            #expect(login.userIds == [100])

            let bob = try await d.client()
            try await bob.sendRaw(
                seedFrame("RegisterMes", #"{"user":{"userid":200,"userpwd":"123456","username":"bob","userstatus":0}}"#)
            )
            _ = try await bob.next(Pick.register)
            try await bob.sendRaw(seedFrame("LoginMes", #"{"userid":200,"userpwd":"123456","username":""}"#))
            #expect(Set(try await bob.next(Pick.login).userIds) == [100, 200])
            // Ann is told bob came online, as the seed's NotifyUserStatusMes.
            let notice = try await ann.next(Pick.notify)
            #expect(notice.userid == 200 && notice.status == UserStatus.online)

            // The seed's SmsMes with a spoofed sender and a password: the server
            // uses the session's identity and never forwards the password.
            try await ann.sendRaw(
                seedFrame(
                    "SmsMes",
                    #"{"content":"hello","userid":999,"userpwd":"leak","username":"mallory","userstatus":0}"#
                )
            )
            let received = try await bob.next(Pick.sms)
            #expect(received.content == "hello")
            #expect(received.userid == 100)
            #expect(received.username == "ann")
            #expect(received.userpwd == "")
        }
    }

    /// The seed writes the length and the body with two writes; the server must not
    /// depend on reads lining up with frames.
    @Test func frameSplitAcrossWritesAndSeveralFramesInOneWrite() async throws {
        try await Deployment.with { d in
            let client = try await d.client()
            var frame = seedFrame(
                "RegisterMes",
                #"{"user":{"userid":7,"userpwd":"p","username":"seven","userstatus":0}}"#
            )
            let head = frame.readSlice(length: 4)!
            try await client.sendRaw(head)
            try await client.sendRaw(frame)
            #expect(try await client.next(Pick.register).code == 200)

            var both = seedFrame("LoginMes", #"{"userid":7,"userpwd":"p","username":""}"#)
            var ping = ClientMessage.ping(PingMes(ts: 5)).frame()
            both.writeBuffer(&ping)
            try await client.sendRaw(both)
            #expect(try await client.next(Pick.login).code == 200)
            #expect(try await client.next(Pick.pong).ts == 5)
        }
    }

    @Test func seedLoginErrors() async throws {
        try await Deployment.with { d in
            let client = try await d.client()
            try await client.sendRaw(seedFrame("LoginMes", #"{"userid":404,"userpwd":"x","username":""}"#))
            let unknown = try await client.next(Pick.login)
            #expect(unknown.code == 500)
            _ = try await client.register(1, name: "one", password: "right")
            try await client.sendRaw(seedFrame("LoginMes", #"{"userid":1,"userpwd":"wrong","username":""}"#))
            #expect(try await client.next(Pick.login).code == 403)
            try await client.sendRaw(
                seedFrame("RegisterMes", #"{"user":{"userid":1,"userpwd":"p","username":"dup","userstatus":0}}"#)
            )
            #expect(try await client.next(Pick.register).code == 400)
        }
    }

    /// Users the seed left in its `user` hash log in with their old password.
    @Test func seedDataInRedisLogsIn() async throws {
        try await Deployment.with { d in
            try await d.redis.command([
                "HSET", "user", "300", #"{"userid":300,"userpwd":"123456","username":"carol","userstatus":0}"#,
            ])
            let carol = try await d.client()
            let (login, _) = try await carol.login(300, password: "123456")
            #expect(login.code == 200)
            #expect(login.username == "carol")
        }
    }

    /// A seed client in a large room gets a login reply listing `presence_notices_max_users`
    /// ids, its own among them, and the count (at the default, 1,000 ids fit the
    /// seed's 8096-byte buffer: LoginResJSONTests).
    @Test func aSeedClientLogsInToALargeRoom() async throws {
        let environment = [
            "CHATD_REGISTRATIONS_PER_ADDRESS": "0", "CHATD_PRESENCE_NOTICES_MAX_USERS": "50",
            "CHATD_CONNECTIONS_PER_ADDRESS": "0",
        ]
        try await Deployment.with(environment: environment) { d in
            let ids = Array(100_001...100_060)
            var clients: [TestChatClient] = []
            for id in ids { clients.append(try await d.user(id, "u\(id)")) }
            let seed = try await d.client()
            let login = try await seedRegisterAndLogin(seed, id: 999_999, name: "seed")
            #expect(login.code == 200)
            #expect(login.userIds.count == 50 && login.userIds.contains(999_999))
            #expect(Set(login.userIds).isSubset(of: Set(ids + [999_999])))
            #expect(login.online == 61)
            for client in clients { await client.close() }
        }
    }

    /// Registers and logs in with the seed's own frames (password "123456").
    func seedRegisterAndLogin(_ client: TestChatClient, id: Int, name: String) async throws -> LoginResMes {
        try await client.sendRaw(
            seedFrame(
                "RegisterMes",
                #"{"user":{"userid":\#(id),"userpwd":"123456","username":"\#(name)","userstatus":0}}"#
            )
        )
        #expect(try await client.next(Pick.register).code == 200)
        try await client.sendRaw(seedFrame("LoginMes", #"{"userid":\#(id),"userpwd":"123456","username":""}"#))
        return try await client.next(Pick.login)
    }
}
