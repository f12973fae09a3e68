// SPDX-License-Identifier: Apache-2.0
import ChatClient
import ChatProtocol
import Foundation
import Testing

@Suite struct RendererTests {
    /// 2026-11-23 14:02 UTC and the day before, 09:05.
    static let ts: Int64 = 1_795_442_520_000
    static let yesterday: Int64 = 1_795_338_300_000
    static let now = Date(timeIntervalSince1970: TimeInterval(ts) / 1000 + 30)

    func renderer(colour: Bool = false) -> Renderer {
        Renderer(style: Style(enabled: colour), selfID: 300, timeZone: TimeZone(identifier: "UTC")!)
    }

    func lines(_ message: ServerMessage, colour: Bool = false) -> [String] {
        var r = self.renderer(colour: colour)
        return r.render(message, now: Self.now)
    }

    @Test func groupMessage() {
        #expect(
            self.lines(.sms(SmsMes(content: "hi", userid: 100, username: "ann", ts: Self.ts))) == [
                "[14:02] ann(100): hi"
            ]
        )
    }

    @Test func groupMessageInColour() {
        let line = self.lines(.sms(SmsMes(content: "hi", userid: 100, username: "ann", ts: Self.ts)), colour: true)
        #expect(line == ["\u{1B}[2m[14:02]\u{1B}[0m \u{1B}[1;36mann(100)\u{1B}[0m: hi"])
    }

    @Test func privateMessageToMe() {
        let m = PrivateMes(to: 300, content: "psst", from: 100, username: "ann", id: "1-0", ts: Self.ts)
        #expect(self.lines(.privateMessage(m)) == ["[14:02] ann(100) → you: psst"])
        #expect(
            self.lines(.privateMessage(m), colour: true)
                == [
                    "\u{1B}[2m[14:02]\u{1B}[0m \u{1B}[1;36mann(100)\u{1B}[0m\u{1B}[35m → \u{1B}[0m\u{1B}[1;32myou\u{1B}[0m: psst"
                ]
        )
    }

    @Test func presenceUsesNamesLearntEarlier() {
        var r = self.renderer()
        _ = r.render(.sms(SmsMes(content: "x", userid: 200, username: "bob", ts: Self.ts)), now: Self.now)
        #expect(
            r.render(.notifyUserStatus(NotifyUserStatusMes(userid: 200, status: UserStatus.offline)), now: Self.now)
                == ["* bob(200) is offline"]
        )
        #expect(
            r.render(.notifyUserStatus(NotifyUserStatusMes(userid: 201, status: UserStatus.online)), now: Self.now)
                == ["* 201 is online"]
        )
        #expect(
            r.render(
                .notifyUserStatus(NotifyUserStatusMes(userid: 202, status: UserStatus.busy, username: "cy")),
                now: Self.now
            )
                == ["* cy(202) is busy"]
        )
    }

    @Test func presenceInColour() {
        #expect(
            self.lines(.notifyUserStatus(NotifyUserStatusMes(userid: 2, status: 0, username: "b")), colour: true)
                == ["\u{1B}[33m* b(2) is online\u{1B}[0m"]
        )
    }

    @Test func offlineMessagesWithHeaderAndDates() {
        let m = OfflineMes(messages: [
            ChatRecord(id: "1-0", ts: Self.yesterday, from: 100, username: "ann", content: "morning"),
            ChatRecord(id: "2-0", ts: Self.ts, from: 200, username: "bob", content: "secret", to: 300),
        ])
        #expect(
            self.lines(.offline(m)) == [
                "* while you were away (2):",
                "[2026-11-22 09:05] ann(100): morning",
                "[14:02] bob(200) → you: secret",
            ]
        )
        var r = self.renderer()
        _ = r.render(.offline(m), now: Self.now)
        #expect(r.own(content: "thanks", to: 200, ts: Self.ts, now: Self.now) == "[14:02] you → bob(200): thanks")
        #expect(self.lines(.offline(OfflineMes(messages: []))) == [])
        let truncated = self.lines(.offline(OfflineMes(messages: [], more: true, note: "only the newest 100")))
        #expect(truncated == ["* while you were away (0):", "  only the newest 100"])
    }

    @Test func historyOldestFirstWithPagingHint() {
        let m = HistoryResMes(
            messages: [
                ChatRecord(id: "2-0", ts: Self.ts, from: 300, username: "me", content: "second"),
                ChatRecord(id: "1-0", ts: Self.ts, from: 100, username: "ann", content: "first"),
            ],
            more: true
        )
        #expect(
            self.lines(.history(m)) == [
                "… older messages before 1-0 (/history more)",
                "[14:02] ann(100): first",
                "[14:02] me(300): second",
            ]
        )
        #expect(self.lines(.history(HistoryResMes())) == ["* no messages"])
    }

    @Test func onlineUsersKickedAndErrors() {
        let users = OnlineUsersResMes(users: [
            OnlineUser(userid: 100, username: "ann"), OnlineUser(userid: 300, username: "me"),
        ])
        #expect(self.lines(.onlineUsers(users)) == ["* online (2): ann(100), me(300)"])
        #expect(self.lines(.kicked(KickedMes(reason: "spam"))) == ["* kicked by the server: spam"])
        #expect(self.lines(.error(ErrorMes(code: 429, error: "slow down"))) == ["! server error: 429 slow down"])
        #expect(
            self.lines(.error(ErrorMes(code: 429, error: "slow down")), colour: true)
                == ["\u{1B}[1;31m! server error: 429 slow down\u{1B}[0m"]
        )
        #expect(
            self.lines(.loginResult(LoginResMes(code: 200, userIds: [100, 300]))) == [
                "* logged in; online (2): 100, 300"
            ]
        )
        #expect(
            self.lines(.loginResult(LoginResMes(code: 200, userIds: [300, 100], online: 5000)))
                == ["* logged in; online: 5000 (/who lists them all), among them: 100, 300"]
        )
        #expect(self.lines(.registerResult(RegisterResMes(code: 400, error: "taken"))) == ["! register: 400 taken"])
    }

    @Test func repliesAndHeartbeatsPrintNothing() {
        #expect(self.lines(.smsResult(SmsResMes(code: 200))) == [])
        #expect(self.lines(.privateResult(PrivateResMes(code: 200))) == [])
        #expect(self.lines(.ping(PingMes())) == [])
        #expect(self.lines(.pong(PingMes())) == [])
    }

    @Test func ownMessages() {
        var r = self.renderer()
        r.learn(300, "me")
        r.learn(100, "ann")
        #expect(r.own(content: "hello", to: nil, ts: Self.ts, now: Self.now) == "[14:02] me(300): hello")
        #expect(r.own(content: "psst", to: 100, ts: Self.ts, now: Self.now) == "[14:02] you → ann(100): psst")
    }

    @Test func controlCharactersCannotReachTheTerminal() {
        let line = self.lines(
            .sms(SmsMes(content: "a\u{1B}[2Jb\u{07}\nc\u{9B}d", userid: 1, username: "x\u{1B}", ts: Self.ts))
        )
        #expect(line == ["[14:02] x^[(1): a^[[2Jb^G\n    c\u{FFFD}d"])
    }

    @Test func aMessageOfSeveralLinesIsIndentedAfterItsFirst() {
        #expect(
            self.lines(.sms(SmsMes(content: "one\ntwo\r\n\nthree", userid: 1, username: "x", ts: Self.ts)))
                == ["[14:02] x(1): one\n    two^M\n    \n    three"]
        )
    }

    @Test func colourDecision() {
        #expect(Style.decide(environment: [:], stdoutIsTerminal: true).enabled)
        #expect(!Style.decide(environment: ["NO_COLOR": ""], stdoutIsTerminal: true).enabled)
        #expect(!Style.decide(environment: ["NO_COLOR": "1"], stdoutIsTerminal: true).enabled)
        #expect(!Style.decide(environment: [:], stdoutIsTerminal: false).enabled)
    }
}

@Suite struct JSONEventTests {
    @Test func groupAndPrivateMessages() {
        let sms = JSONEvent.events(for: .sms(SmsMes(content: "hi", userid: 100, username: "ann", id: "5-0", ts: 7)))
        #expect(
            sms.map { $0.line() } == [
                #"{"content":"hi","from":100,"id":"5-0","ts":7,"type":"SmsMes","username":"ann"}"#
            ]
        )
        let pm = JSONEvent.events(
            for: .privateMessage(PrivateMes(to: 300, content: "a/b", from: 100, username: "ann", id: "6-0", ts: 8))
        )
        #expect(
            pm.map { $0.line() } == [
                #"{"content":"a/b","from":100,"id":"6-0","to":300,"ts":8,"type":"PrivateMes","username":"ann"}"#
            ]
        )
    }

    @Test func presenceKickErrorAndOffline() {
        #expect(
            JSONEvent.events(for: .notifyUserStatus(NotifyUserStatusMes(userid: 2, status: 1))).map { $0.line() }
                == [#"{"status":1,"type":"NotifyUserStatusMes","userid":2}"#]
        )
        #expect(
            JSONEvent.events(for: .kicked(KickedMes(reason: "bye"))).map { $0.line() } == [
                #"{"reason":"bye","type":"KickedMes"}"#
            ]
        )
        #expect(
            JSONEvent.events(for: .error(ErrorMes(code: 503, error: "down"))).map { $0.line() }
                == [#"{"code":503,"error":"down","type":"ErrorMes"}"#]
        )
        let offline = OfflineMes(messages: [ChatRecord(id: "1-0", ts: 1, from: 2, username: "b", content: "c", to: 3)])
        #expect(
            JSONEvent.events(for: .offline(offline)).map { $0.line() }
                == [
                    #"{"content":"c","from":2,"id":"1-0","offline":true,"to":3,"ts":1,"type":"PrivateMes","username":"b"}"#
                ]
        )
        #expect(JSONEvent.events(for: .smsResult(SmsResMes(code: 200))).isEmpty)
    }
}
