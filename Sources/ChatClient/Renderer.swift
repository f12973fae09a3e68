// SPDX-License-Identifier: Apache-2.0
import ChatProtocol

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Turns server messages into the lines a person reads. Pure apart from the name
/// cache it keeps (ids → names learnt from messages), so it is unit-tested directly.
public struct Renderer: Sendable {
    public var style: Style
    public var selfID: Int?
    public var timeZone: TimeZone
    /// Names seen so far, for messages that carry only an id (presence, LoginResMes).
    public private(set) var names: [Int: String] = [:]

    public init(style: Style, selfID: Int? = nil, timeZone: TimeZone = .current) {
        self.style = style
        self.selfID = selfID
        self.timeZone = timeZone
    }

    public mutating func learn(_ id: Int, _ name: String?) {
        if let name, !name.isEmpty { self.names[id] = name }
    }

    /// The lines for `message`; empty for messages the user does not need to see
    /// (acks are reported by whoever sent the request, pings are plumbing).
    public mutating func render(_ message: ServerMessage, now: Date) -> [String] {
        switch message {
        case .sms(let m):
            self.learn(m.userid, m.username)
            return [self.group(from: m.userid, name: m.username, content: m.content, ts: m.ts, now: now)]
        case .privateMessage(let m):
            let from = m.from ?? 0
            self.learn(from, m.username)
            return [self.privateLine(from: from, name: m.username, to: m.to, content: m.content, ts: m.ts, now: now)]
        case .notifyUserStatus(let m):
            self.learn(m.userid, m.username)
            let state: String
            switch m.status {
            case UserStatus.online: state = "online"
            case UserStatus.offline: state = "offline"
            case UserStatus.busy: state = "busy"
            default: state = "in status \(m.status)"
            }
            return [self.style.notice("* \(self.who(m.userid, m.username)) is \(state)")]
        case .onlineUsers(let m):
            guard m.code == StatusCode.ok else { return [self.failure(m.code, m.error, what: "who")] }
            for user in m.users { self.learn(user.userid, user.username) }
            let list = m.users.map { self.who($0.userid, $0.username) }.joined(separator: ", ")
            return [self.style.notice("* online (\(m.users.count)): \(list)")]
        case .history(let m):
            guard m.code == StatusCode.ok else { return [self.failure(m.code, m.error, what: "history")] }
            for r in m.messages { self.learn(r.from, r.username) }
            var lines = m.messages.reversed().map { self.record($0, now: now) }  // oldest first, as read
            if lines.isEmpty { lines.append(self.style.notice("* no messages")) }
            if m.more, let oldest = m.messages.last {
                lines.insert(self.style.dim("… older messages before \(oldest.id) (/history more)"), at: 0)
            }
            return lines
        case .offline(let m):
            guard !m.messages.isEmpty || m.more else { return [] }
            return [self.style.notice("* while you were away (\(m.messages.count)):")] + self.missed(m, now: now)
        case .loginResult(let m):
            guard m.code == StatusCode.ok else { return [self.failure(m.code, m.error, what: "login")] }
            let list = m.userIds.sorted().map { self.who($0, nil) }.joined(separator: ", ")
            // A large room: the server listed some of them and says how many there are.
            if let online = m.online, online > m.userIds.count {
                return [self.style.notice("* logged in; online: \(online) (/who lists them all), among them: \(list)")]
            }
            return [self.style.notice("* logged in; online (\(m.userIds.count)): \(list)")]
        case .kicked(let m):
            return [self.style.error("* kicked by the server" + (m.reason.isEmpty ? "" : ": \(sanitize(m.reason))"))]
        case .error(let m):
            return [self.failure(m.code, m.error, what: "server error")]
        case .registerResult(let m):
            return m.code == StatusCode.ok
                ? [self.style.notice("* registered")] : [self.failure(m.code, m.error, what: "register")]
        case .smsResult, .privateResult, .ping, .pong:
            return []
        }
    }

    /// What an `OfflineMes` brings, without a heading (after a reconnect its one line says how many).
    public mutating func missed(_ m: OfflineMes, now: Date) -> [String] {
        for r in m.messages { self.learn(r.from, r.username) }
        var lines: [String] = []
        if let note = m.note, !note.isEmpty {
            lines.append(self.style.dim("  " + sanitize(note)))
        } else if m.more {
            lines.append(self.style.dim("  (older messages were dropped)"))
        }
        return lines + m.messages.map { self.record($0, now: now) }
    }

    /// A stored message (history, offline delivery): group when `to` is nil.
    public func record(_ r: ChatRecord, now: Date) -> String {
        if let to = r.to {
            return self.privateLine(from: r.from, name: r.username, to: to, content: r.content, ts: r.ts, now: now)
        }
        return self.group(from: r.from, name: r.username, content: r.content, ts: r.ts, now: now)
    }

    /// Our own message, shown once the server acknowledged it.
    public func own(content: String, to: Int?, ts: Int64?, now: Date) -> String {
        let me = self.selfID.map { self.who($0, nil) } ?? "you"
        if let to {
            let head = self.style.own("you") + self.style.privateMark(" → ") + self.style.name(self.who(to, nil))
            return "\(self.time(ts, now: now)) \(head): \(Self.body(content))"
        }
        return "\(self.time(ts, now: now)) \(self.style.own(me)): \(Self.body(content))"
    }

    /// A refused request, as one line.
    public func failure(_ code: Int, _ error: String, what: String) -> String {
        self.style.error("! \(what): \(code)" + (error.isEmpty ? "" : " \(sanitize(error))"))
    }

    /// `ann(100)`, or `100` when the name is unknown.
    public func who(_ id: Int, _ name: String?) -> String {
        let name = (name?.isEmpty == false ? name : nil) ?? self.names[id]
        return name.map { "\(sanitize($0))(\(id))" } ?? "\(id)"
    }

    private func group(from: Int, name: String, content: String, ts: Int64?, now: Date) -> String {
        let sender = from == self.selfID ? self.style.own(self.who(from, name)) : self.style.name(self.who(from, name))
        return "\(self.time(ts, now: now)) \(sender): \(Self.body(content))"
    }

    private func privateLine(from: Int, name: String?, to: Int, content: String, ts: Int64?, now: Date) -> String {
        let arrow = self.style.privateMark(" → ")
        let head: String
        if from == self.selfID {
            head = self.style.own("you") + arrow + self.style.name(self.who(to, nil))
        } else {
            let target = to == self.selfID || self.selfID == nil ? "you" : self.who(to, nil)
            head = self.style.name(self.who(from, name)) + arrow + self.style.own(target)
        }
        return "\(self.time(ts, now: now)) \(head): \(Self.body(content))"
    }

    /// A message's text, sanitized. A message of several lines (a paste) is shown as
    /// such, each further line indented: no line of a message can pass for a message
    /// of its own, as those start with the time.
    static func body(_ content: String) -> String {
        // By scalar: "\r\n" is one Character, and its "\r" is shown as ^M.
        content.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false)
            .map { sanitize(String(String.UnicodeScalarView($0))) }.joined(separator: "\n    ")
    }

    /// `[HH:MM]`; with the date when the message is from another day than `now`.
    func time(_ ts: Int64?, now: Date) -> String {
        let date = ts.map { Date(timeIntervalSince1970: TimeInterval($0) / 1000) } ?? now
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = self.timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        let hm = "\(pad(c.hour ?? 0)):\(pad(c.minute ?? 0))"
        let today = calendar.dateComponents([.year, .month, .day], from: now)
        let stamp =
            (c.year, c.month, c.day) == (today.year, today.month, today.day)
            ? hm : "\(c.year ?? 0)-\(pad(c.month ?? 0))-\(pad(c.day ?? 0)) \(hm)"
        return self.style.dim("[\(stamp)]")
    }
}

private func pad(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
