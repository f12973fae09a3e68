// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import ChatTesting
import Foundation
import NIOCore
import TestTier
import Testing

/// Sessions kept across restarts in the file descriptor store. chatd runs under
/// `FDStoreHost`, which speaks systemd's side of the protocol; packaging/test-in-vm
/// does the same with the real systemd (restart, upgrade, watchdog kill).
@Suite(.integration) struct HandoverTests {
    @Test func anOrderlyRestartKeepsEverySessionAndTellsNoOne() async throws {
        try await withHost { host in
            let ann = try await Self.user(host, 1, "ann")
            let bob = try await Self.user(host, 2, "bob")
            #expect(try await ann.next(Pick.notify).userid == 2)
            #expect(host.storedCount(KeptNameForTests.session) == 2)
            // Whatever was on its way to bob before the restart (ann's online notice, batched) is read.
            try await bob.send(.ping(PingMes(ts: 1)))
            _ = try await bob.next(Pick.pong)

            try await host.restart()
            #expect(host.output.contains("resumed=2"), "\(host.output)")

            try await ann.send(.sms(SmsMes(content: "after the restart")))
            // On the same connections: bob gets the message, ann her acknowledgement, and
            // neither hears of anyone going offline. (An "online" notice batched before
            // the restart may still arrive first: the batch goes out before the handover.)
            let toBob = try await Self.framesUntil(bob) { if case .sms = $0 { true } else { false } }
            let toAnn = try await Self.framesUntil(ann) { if case .smsResult = $0 { true } else { false } }
            #expect(toBob.last.flatMap(Pick.sms)?.content == "after the restart")
            #expect(toAnn.last.flatMap(Pick.smsResult)?.code == 200)
            for frame in toBob.dropLast() + toAnn.dropLast() {
                #expect(Pick.notify(frame)?.status == UserStatus.online, "unexpected before the message: \(frame)")
            }
        }
    }

    /// A frame whose start the old process read and whose end the new one reads arrives whole.
    @Test func aFrameCutByTheRestartArrivesWhole() async throws {
        try await withHost { host in
            let ann = try await Self.user(host, 1, "ann")
            let bob = try await Self.user(host, 2, "bob")
            _ = try await ann.next(Pick.notify)
            var frame = ClientMessage.sms(SmsMes(content: "one frame, two processes")).frame()
            let head = frame.readSlice(length: 12)!
            try await ann.sendRaw(head)
            // Ask something after the head on bob's side, so the old process has surely read
            // everything sent before the restart: bob's answer comes after ann's bytes arrived.
            try await bob.send(.ping(PingMes(ts: 7)))
            _ = try await bob.next(Pick.pong)
            try await host.restart()
            try await ann.sendRaw(frame)
            #expect(try await bob.next(Pick.sms).content == "one frame, two processes")
            #expect(try await ann.next(Pick.smsResult).code == 200)
        }
    }

    /// kill -9: nothing written at stop. The sockets are still kept, the users are checked
    /// in Redis, and the sessions go on.
    @Test func aCrashKeepsTheSessions() async throws {
        try await withHost { host in
            let ann = try await Self.user(host, 1, "ann")
            let bob = try await Self.user(host, 2, "bob")
            _ = try await ann.next(Pick.notify)
            try await host.restart(signal: SIGKILL)
            #expect(host.output.contains("rechecked=2"), "\(host.output)")
            try await ann.send(.sms(SmsMes(content: "after the crash")))
            #expect(try await bob.next(Pick.sms).content == "after the crash")
        }
    }

    /// As after a watchdog kill: what a user sent while no chatd ran waits in the socket
    /// and the next process serves it, acknowledged once and delivered once.
    @Test func aMessageSentDuringACrashIsServedByTheNextProcess() async throws {
        try await withHost { host in
            let ann = try await Self.user(host, 1, "ann")
            let bob = try await Self.user(host, 2, "bob")
            _ = try await ann.next(Pick.notify)
            // An orderly restart first, as in the VM: the crash follows a takeover.
            try await host.restart()
            try await bob.send(.ping(PingMes(ts: 1)))
            _ = try await bob.next(Pick.pong)
            try await host.restart(signal: SIGKILL) {
                try await ann.send(.sms(SmsMes(content: "while no chatd ran")))
            }
            #expect(try await bob.next(Pick.sms).content == "while no chatd ran")
            #expect(try await ann.next(Pick.smsResult).code == 200)
            try await ann.send(.sms(SmsMes(content: "and after")))
            #expect(try await bob.next(Pick.sms).content == "and after")
        }
    }

    /// A user disabled while chatd was down is told to log in again, not carried on.
    @Test func aUserDisabledDuringACrashIsToldToLogInAgain() async throws {
        try await RedisServerProcess.with { redis in
            let host = try await FDStoreHost.start(redisURL: redis.url)
            do {
                let ann = try await Self.user(host, 1, "ann")
                try await host.restart(signal: SIGKILL) {
                    let run = try await runToCompletion(
                        "/usr/bin/redis-cli",
                        ["-p", String(redis.port), "HSET", "chat:user:1", "disabled", "1"]
                    )
                    #expect(run.status == 0, "\(run.output)")
                }
                let kicked = try await ann.next(Pick.kicked)
                #expect(kicked.reason.contains("log in again"))
                #expect(kicked.reconnect != true)
                #expect(try await ann.collectUntilClosed().isEmpty)
                try await host.stop()
            } catch {
                try? await host.stop()
                throw error
            }
        }
    }

    /// A session that ends leaves the store (its socket is shut down, so systemd drops
    /// its copy); one that never logged in is never stored, and a restart tells it to
    /// come back.
    @Test func onlyLiveLoggedInSessionsAreKept() async throws {
        try await withHost { host in
            let ann = try await Self.user(host, 1, "ann")
            let bob = try await Self.user(host, 2, "bob")
            _ = try await ann.next(Pick.notify)
            let stranger = try await TestChatClient.connect(port: host.port)
            try await stranger.send(.ping(PingMes(ts: 1)))
            _ = try await stranger.next(Pick.pong)
            #expect(host.storedCount(KeptNameForTests.session) == 2)

            await bob.close()
            // Ann hears that bob left once chatd has ended his session.
            let left = try await ann.next(Pick.notify)
            #expect(left.userid == 2 && left.status == UserStatus.offline)
            #expect(host.storedCount(KeptNameForTests.session) == 1)

            try await host.restart()
            let told = try await stranger.next(Pick.kicked)
            #expect(told.reconnect == true)
            #expect(host.storedCount(KeptNameForTests.session) == 1)
        }
    }

    // MARK: Helpers

    private func withHost(_ body: (FDStoreHost) async throws -> Void) async throws {
        try await RedisServerProcess.with { redis in
            let host = try await FDStoreHost.start(redisURL: redis.url)
            do {
                try await body(host)
                try await host.stop()
            } catch {
                try? await host.stop()
                throw error
            }
        }
    }

    /// Frames up to and including the first that `last` accepts.
    private static func framesUntil(
        _ client: TestChatClient,
        _ last: (ServerMessage) -> Bool
    ) async throws -> [ServerMessage] {
        var frames: [ServerMessage] = []
        while true {
            let frame = try await client.next()
            frames.append(frame)
            if last(frame) { return frames }
        }
    }

    private static func user(_ host: FDStoreHost, _ id: Int, _ name: String) async throws -> TestChatClient {
        let client = try await TestChatClient.connect(port: host.port)
        #expect(try await client.register(id, name: name, password: "pw").code == 200)
        let (login, _) = try await client.login(id, password: "pw")
        #expect(login.code == 200)
        return client
    }
}

/// The store's name for session sockets (ChatServer.KeptName.session).
enum KeptNameForTests {
    static let session = "s"
}
