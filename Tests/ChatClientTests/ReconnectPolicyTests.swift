// SPDX-License-Identifier: Apache-2.0
import ChatClient
import ChatProtocol
import ChatTesting
import Testing

@Suite struct BackoffTests {
    @Test func ceilingDoublesFromBaseUpToTheCap() {
        var backoff = Backoff(base: .milliseconds(250), cap: .seconds(10))
        var random = SeededGenerator(seed: 1)
        var ceilings: [Duration] = []
        for _ in 0..<10 {
            ceilings.append(backoff.ceiling)
            _ = backoff.next(using: &random)
        }
        #expect(
            ceilings == [
                .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(8),
                .seconds(10), .seconds(10), .seconds(10), .seconds(10),
            ]
        )
    }

    @Test func everyWaitIsBetweenZeroAndItsCeiling() {
        for seed in UInt64(0)..<50 {
            var backoff = Backoff()
            var random = SeededGenerator(seed: seed)
            for _ in 0..<40 {
                let ceiling = backoff.ceiling
                let wait = backoff.next(using: &random)
                #expect(wait >= .zero && wait <= ceiling)
                #expect(wait <= .seconds(10))
            }
        }
    }

    /// Full jitter: the waits spread over the range rather than sitting at the ceiling.
    @Test func waitsAreSpreadOverTheRange() {
        var random = SeededGenerator(seed: 42)
        var waits: [Duration] = []
        for _ in 0..<200 {
            var backoff = Backoff(base: .seconds(10), cap: .seconds(10))
            waits.append(backoff.next(using: &random))
        }
        #expect(waits.contains { $0 < .seconds(2) })
        #expect(waits.contains { $0 > .seconds(8) })
    }

    @Test func resetStartsOverAtTheBase() {
        var backoff = Backoff()
        var random = SeededGenerator(seed: 7)
        for _ in 0..<8 { _ = backoff.next(using: &random) }
        #expect(backoff.ceiling == .seconds(10))
        backoff.reset()
        #expect(backoff.ceiling == .milliseconds(250))
        #expect(backoff.attempt == 0)
    }
}

@Suite struct SeenMessagesTests {
    func record(_ id: String) -> ChatRecord { ChatRecord(id: id, ts: 1, from: 100, username: "ann", content: id) }

    @Test func aMessageShownLiveIsLeftOutOfTheMissedOnes() {
        var seen = SeenMessages()
        let live: [ServerMessage] = [
            .sms(SmsMes(content: "a", id: "1-0")),
            .privateMessage(PrivateMes(to: 200, content: "b", from: 100, id: "2-0")),
            .smsResult(SmsResMes(code: 200, id: "3-0")),  // our own, shown from its ack
        ]
        let shown = live.compactMap { seen.unseen($0) }
        #expect(shown == live)
        let missed = seen.unseen(.offline(OfflineMes(messages: ["1-0", "2-0", "3-0", "4-0"].map(self.record))))
        guard case .offline(let m)? = missed else {
            Issue.record("no OfflineMes: \(String(describing: missed))")
            return
        }
        #expect(m.messages.map(\.id) == ["4-0"])
        // And the same message live again is not shown either.
        let again = seen.unseen(.sms(SmsMes(content: "d", id: "4-0")))
        #expect(again == nil)
    }

    @Test func messagesWithoutAnIdAreAlwaysShown() {
        var seen = SeenMessages()
        let motd = ServerMessage.sms(SmsMes(content: "welcome", username: "server"))
        let shown = [motd, motd].compactMap { seen.unseen($0) }
        #expect(shown.count == 2)
    }

    @Test func theOldestIdsAreForgottenPastTheLimit() {
        var seen = SeenMessages(limit: 3)
        let first = ["a", "b", "c", "d"].map { seen.firstSight($0) }
        #expect(first == [true, true, true, true])
        let again = ["a", "d", "c"].map { seen.firstSight($0) }
        #expect(again == [true, false, false])  // a was forgotten to make room for d
    }
}

@Suite struct ResumeTests {
    @Test func logsInWithTheNewestTokenOnceThereIsOne() {
        var resume = Resume(user: 7, password: "secret")
        #expect(resume.login == LoginMes(userid: 7, userpwd: "secret"))
        resume.accepted(LoginResMes(code: 200, token: "t1"))
        #expect(resume.login == LoginMes(userid: 7, userpwd: "", token: "t1"))
        resume.accepted(LoginResMes(code: 200, token: "t2"))
        resume.accepted(LoginResMes(code: 200))  // a server with tokens off: keep the last
        #expect(resume.login == LoginMes(userid: 7, userpwd: "", token: "t2"))
    }

    @Test func whenToComeBack() {
        #expect(Resume.mayReconnect(after: nil))
        #expect(Resume.mayReconnect(after: KickedMes(reason: "server shutting down", reconnect: true)))
        #expect(!Resume.mayReconnect(after: KickedMes(reason: "kicked by an administrator")))
        #expect(!Resume.mayReconnect(after: KickedMes(reason: "password changed", reconnect: false)))
        #expect(Resume.retryable(LoginResMes(code: 503)))
        #expect(Resume.retryable(LoginResMes(code: 429)))
        #expect(!Resume.retryable(LoginResMes(code: 403, error: "invalid or expired token, log in with the password")))
        #expect(Resume.retryable(ChatFailure(.unavailable, "cannot connect")))
        #expect(!Resume.retryable(ChatFailure(.untrusted, "certificate")))
        #expect(Resume.lostText(nil) == "connection lost; reconnecting…")
        #expect(
            Resume.lostText("connection lost: connection reset by peer")
                == "connection lost: connection reset by peer; reconnecting…"
        )
        #expect(Resume.lostText("server shutting down") == "connection lost: server shutting down; reconnecting…")
        #expect(Resume.reconnectedText(missed: 1) == "reconnected, 1 missed message")
        #expect(Resume.reconnectedText(missed: 3) == "reconnected, 3 missed messages")
    }
}
