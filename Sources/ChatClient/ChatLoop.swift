// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import NIOCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The chat session of `chat` without a subcommand: interactive with a line editor
/// when stdin is a terminal, otherwise line by line from stdin until EOF.
///
/// One task owns all state. Network messages, stdin bytes and the end of either
/// arrive as events on one stream, so printing above the prompt needs no locks.
///
/// After a dropped connection or a kick that allows it, the loop logs in again with
/// the resume token (backoff with jitter), says so in one line and shows what was
/// missed, nothing twice. Lines typed meanwhile are queued and sent once back.
public final class ChatLoop {
    public struct Options: Sendable {
        public var server: ServerAddress
        public var user: Int
        public var password: String
        public var style: Style
        /// Line editor and prompt (stdin is a terminal) or plain lines.
        public var interactive: Bool
        public var debug: Bool
        public var heartbeat: TimeAmount
        public var tls: ClientTLS?
        /// BEL on an incoming private message (interactive only).
        public var bell: Bool
        /// Where the prompt's history is kept between runs; nil keeps none.
        public var historyFile: String?
        /// Log in again after a drop or a kick that allows it; false ends (69, or 1 for any kick).
        public var reconnect: Bool

        public init(
            server: ServerAddress,
            user: Int,
            password: String,
            style: Style,
            interactive: Bool,
            debug: Bool = false,
            heartbeat: TimeAmount = Connection.defaultHeartbeat,
            tls: ClientTLS? = nil,
            bell: Bool = false,
            historyFile: String? = nil,
            reconnect: Bool = true
        ) {
            (self.server, self.user, self.password, self.style) = (server, user, password, style)
            (self.interactive, self.debug, self.heartbeat, self.tls) = (interactive, debug, heartbeat, tls)
            (self.bell, self.historyFile, self.reconnect) = (bell, historyFile, reconnect)
        }
    }

    enum Event: Sendable {
        /// On connection number `link`.
        case link(ChatLink.Event, link: Int)
        /// The backoff before connection number `link` is over.
        case retry(link: Int)
        case input([UInt8])
        case inputEnded
    }

    /// A request waiting for its reply, so our own message can be shown once stored.
    enum Pending {
        case say(String)
        case privateMessage(to: Int, text: String)
        case who
        /// The online list for completion after a reconnect: not shown.
        case refreshOnline
        case history(limit: Int)
    }

    private let options: Options
    private var renderer: Renderer
    private var editor: LineEditor?
    private var splitter = LineSplitter()
    private var pending: [Pending] = []
    /// Logged in on the current connection.
    private var loggedIn = false
    /// Logged in once: from then on a lost connection is resumed.
    private var loggedInOnce = false
    private var inputEnded = false
    private var refusals = 0
    private var outbound: ChatLink.Writer?
    private var events: AsyncStream<Event>.Continuation?
    /// The current connection's number; events of earlier ones are ignored.
    private var link = 0
    private var linkTask: Task<Void, Never>?
    private var retryTask: Task<Void, Never>?
    private var resume: Resume
    private var backoff = Backoff()
    private var seen = SeenMessages()
    /// Between a lost connection and the login that resumes it (one line says so).
    private var lost = false
    /// Logged in again: the next message, the `OfflineMes`, gets the one "reconnected" line.
    private var awaitingMissed = false
    /// Lines typed while not connected, sent once logged in again.
    private var queued: [String] = []
    private var historyFile: HistoryFile?
    /// Who is online, for tab completion: from the list at login, then presence.
    private var online: [Int: String] = [:]
    /// Where `/history more` continues: the oldest message shown and the page size.
    private var olderThan: (id: String, limit: Int)?
    /// Whether any history page was shown: before that, `/history more` starts with the newest.
    private var historyShown = false

    public init(options: Options) {
        self.options = options
        self.renderer = Renderer(style: options.style, selfID: options.user)
        self.resume = Resume(user: options.user, password: options.password)
    }

    /// Runs until /quit, EOF, ctrl-c, or the connection's end when it is not resumed; returns the exit status.
    public func run() async throws(ChatFailure) -> ExitStatus {
        let (events, continuation) = AsyncStream.makeStream(of: Event.self)
        self.events = continuation
        self.openLink()
        let outcome: Result<ExitStatus, ChatFailure> = await withTaskGroup(of: Void.self) { group in
            defer {
                group.cancelAll()
                if let editor = self.editor {
                    Terminal.output(editor.clear())  // leave no half prompt behind
                    Terminal.restore()
                }
            }
            do throws(ChatFailure) {
                for await event in events {
                    if let status = try await self.handle(
                        event,
                        startInput: {
                            group.addTask {
                                for await chunk in StdinReader.chunks() { continuation.yield(.input(chunk)) }
                                continuation.yield(.inputEnded)
                            }
                        }
                    ) {
                        return .success(status)
                    }
                }
                return .success(.unavailable)
            } catch {
                return .failure(error)
            }
        }
        self.retryTask?.cancel()
        self.linkTask?.cancel()  // closes the connection (after the logout, when one was written)
        // Waits for the close of an open connection only: a connect in progress may take its timeout.
        if self.outbound != nil { await self.linkTask?.value }
        return try outcome.get()
    }

    /// Starts connection number `link`.
    private func openLink() {
        guard let events = self.events else { return }
        self.linkTask = ChatLink.open(self.link, options: self.options) { event, link in
            events.yield(.link(event, link: link))
        }
    }

    /// Handles one event; a status ends the loop.
    private func handle(_ event: Event, startInput: () -> Void) async throws(ChatFailure) -> ExitStatus? {
        switch event {
        case .link(_, let link) where link != self.link, .retry(let link) where link != self.link:
            break  // from a connection given up already
        case .link(.connected(let outbound), _):
            self.outbound = outbound
            try await self.send(.login(self.resume.login))
        case .link(.inbound(.unreadable(let why)), _):
            if self.options.debug { self.show([self.options.style.dim("(debug) ignored frame: \(sanitize(why))")]) }
        case .link(.inbound(.message(let message)), _):
            guard let message = self.seen.unseen(message) else { break }  // shown before a reconnect
            return try await self.receive(message, startInput: startInput)
        case .link(.ended(let end), _):
            return try self.ended(end)
        case .retry:
            self.openLink()
        case .input(let bytes):
            if var editor = self.editor {
                editor.width = Terminal.columns()  // cheap, and follows resizes without SIGWINCH
                let remembered = editor.remembered
                let (output, actions) = editor.feed(bytes)
                self.editor = editor
                Terminal.output(output)
                self.keep(Array(editor.history.suffix(editor.remembered - remembered)))
                for action in actions {
                    switch action {
                    case .submit(let line):
                        if let status = try await self.submit(line) { return status }
                    case .pageUp:
                        if let status = try await self.submit("/history more") { return status }
                    case .interrupt:
                        return .interrupted
                    case .endOfFile:
                        return try await self.quit()
                    }
                }
            } else {
                for line in self.splitter.feed(bytes) {
                    if let status = try await self.submit(line) { return status }
                }
            }
        case .inputEnded:
            if let last = self.splitter.finish(), let status = try await self.submit(last) { return status }
            self.inputEnded = true
            return try await self.finishIfIdle()
        }
        return nil
    }

    private func receive(_ message: ServerMessage, startInput: () -> Void) async throws(ChatFailure) -> ExitStatus? {
        let now = Date()
        if self.awaitingMissed {
            self.awaitingMissed = false
            let missed: OfflineMes
            // A server may send no offline message: then nothing was missed.
            if case .offline(let m) = message { missed = m } else { missed = OfflineMes(messages: []) }
            self.show(
                [self.options.style.notice("* " + Resume.reconnectedText(missed: missed.messages.count))]
                    + self.renderer.missed(missed, now: now)
            )
            if let status = try await self.sendQueued() { return status }
            if case .offline = message { return try await self.finishIfIdle() }
        }
        switch message {
        case .loginResult(let reply) where !self.loggedIn && self.loggedInOnce:
            return try await self.resumed(reply)
        case .loginResult(let reply) where !self.loggedIn:
            if let failure = ChatFailure.login(reply, user: self.options.user) { throw failure }
            (self.loggedIn, self.loggedInOnce) = (true, true)
            self.resume.accepted(reply)
            self.renderer.learn(self.options.user, reply.username)
            if self.options.interactive {
                try Terminal.enterRawMode()
                let me = self.renderer.who(self.options.user, reply.username)
                let prompt = self.options.style.own(me) + "> "
                var editor = LineEditor(prompt: prompt, promptWidth: TerminalText.width(me) + 2)
                editor.secrets = [self.options.password]
                editor.loadHistory(self.loadHistory())
                self.editor = editor
                self.show([self.options.style.notice("* logged in as \(me) — /help for commands")])
            }
            // Names of who is online (LoginResMes has only ids); the OfflineMes comes first.
            self.pending.append(.who)
            try await self.send(.onlineUsers)
            startInput()
        case .smsResult(let ack):
            guard let index = self.pending.firstIndex(where: { if case .say = $0 { true } else { false } }),
                case .say(let text) = self.pending.remove(at: index)
            else { break }
            if ack.code == StatusCode.ok {
                self.show([self.renderer.own(content: text, to: nil, ts: ack.ts, now: now)])
            } else {
                self.refused(ack.code, ack.error, what: "message not sent")
            }
            return try await self.finishIfIdle()
        case .privateResult(let ack):
            guard let index = self.pending.firstIndex(where: { if case .privateMessage = $0 { true } else { false } }),
                case .privateMessage(let to, let text) = self.pending.remove(at: index)
            else { break }
            if ack.code == StatusCode.ok {
                let note = ack.delivered ? "" : self.options.style.dim(" (offline: delivered at next login)")
                self.show([self.renderer.own(content: text, to: to, ts: ack.ts, now: now) + note])
            } else {
                let why = ack.code == StatusCode.notFound && ack.error.isEmpty ? "no such user \(to)" : ack.error
                self.refused(ack.code, why, what: "private message not sent")
            }
            return try await self.finishIfIdle()
        case .onlineUsers, .history:
            let kindMatches: (Pending) -> Bool = { p in
                switch (p, message) {
                case (.who, .onlineUsers), (.refreshOnline, .onlineUsers), (.history, .history): return true
                default: return false
                }
            }
            var quiet = false
            if let index = self.pending.firstIndex(where: kindMatches) {
                let request = self.pending.remove(at: index)
                if case .history(let limit) = request, case .history(let page) = message {
                    self.olderThan = page.more ? page.messages.last.map { ($0.id, limit) } : nil
                    self.historyShown = true
                }
                if case .refreshOnline = request { quiet = true }
            }
            if case .onlineUsers(let list) = message, list.code == StatusCode.ok {
                self.online = Dictionary(list.users.map { ($0.userid, $0.username) }, uniquingKeysWith: { a, _ in a })
                self.updateCompletion()
            }
            if !quiet { self.show(self.renderer.render(message, now: now)) }
            return try await self.finishIfIdle()
        case .error(let e):
            // The answer to the oldest request, when one is waiting (e.g. 429, 503).
            if !self.pending.isEmpty { self.pending.removeFirst() }
            self.refused(e.code, e.error, what: "server error")
            return try await self.finishIfIdle()
        case .kicked(let kick):
            if self.options.reconnect && self.loggedInOnce && Resume.mayReconnect(after: kick) {
                self.lose(kick.reason)
                return nil
            }
            self.show(self.renderer.render(message, now: now))
            return .refused
        case .privateMessage(let m):
            self.show(self.renderer.render(message, now: now))
            if self.options.bell, self.editor != nil, m.from != self.options.user { Terminal.output("\u{07}") }
        case .notifyUserStatus(let n):
            self.show(self.renderer.render(message, now: now))
            if n.status == UserStatus.offline {
                self.online[n.userid] = nil
            } else {
                self.online[n.userid] = self.renderer.names[n.userid] ?? ""
            }
            self.updateCompletion()
        default:
            self.show(self.renderer.render(message, now: now))
        }
        return nil
    }

    /// One line typed or read.
    private func submit(_ line: String) async throws(ChatFailure) -> ExitStatus? {
        let input = InputLine.parse(line)
        if !self.loggedIn && input.needsServer {
            self.queued.append(line)
            if self.options.interactive {
                self.show([self.options.style.dim("* not connected: sent once reconnected")])
            }
            return nil
        }
        switch input {
        case .empty:
            break
        case .say(let text):
            self.pending.append(.say(text))
            try await self.send(.sms(SmsMes(content: text)))
        case .privateMessage(let to, let text):
            self.pending.append(.privateMessage(to: to, text: text))
            try await self.send(.privateMessage(PrivateMes(to: to, content: text)))
        case .who:
            self.pending.append(.who)
            try await self.send(.onlineUsers)
        case .history(let limit):
            let limit = limit ?? InputLine.defaultHistoryLimit
            self.pending.append(.history(limit: limit))
            try await self.send(.history(HistoryMes(limit: limit)))
        case .historyMore:
            if let (before, limit) = self.olderThan {
                self.pending.append(.history(limit: limit))
                try await self.send(.history(HistoryMes(before: before, limit: limit)))
            } else if self.historyShown {
                self.show([self.options.style.notice("* no older messages")])
            } else {
                return try await self.submit("/history")
            }
        case .help:
            self.show(InputLine.helpText.split(separator: "\n").map { self.options.style.dim(String($0)) })
        case .quit:
            return try await self.quit()
        case .invalid(let why):
            self.refused(why)
        }
        return nil
    }

    /// Stdin is done and every request answered: log out. Non-interactive mode only.
    private func finishIfIdle() async throws(ChatFailure) -> ExitStatus? {
        guard self.inputEnded, self.pending.isEmpty, self.queued.isEmpty else { return nil }
        return try await self.quit()
    }

    private func quit() async throws(ChatFailure) -> ExitStatus {
        for line in self.queued { self.refused("not sent (not connected): \(sanitize(line))") }
        try? await self.outbound?.write(.logout)
        return self.refusals > 0 && !self.options.interactive ? .refused : .ok
    }

    private func send(_ message: ClientMessage) async throws(ChatFailure) {
        do {
            try await self.outbound?.write(message)
        } catch {
            // The connection is gone; its end arrives as an event and is resumed there.
            if self.resuming { return }
            throw ChatFailure(.unavailable, "connection lost: \(Connection.describe(error))")
        }
    }

    /// Whether a lost connection is resumed rather than the end.
    private var resuming: Bool { self.options.reconnect && self.loggedInOnce }

    /// The current connection ended without a kick.
    private func ended(_ end: ChatLink.End) throws(ChatFailure) -> ExitStatus? {
        switch end {
        case .failed(let failure):
            guard self.resuming, Resume.retryable(failure) else { throw failure }
            self.lose(failure.message)
        case .closed(let why):
            guard self.resuming else {
                self.show([
                    self.options.style.error(
                        "* connection closed by the server" + (why.map { ": \(sanitize($0))" } ?? "")
                    )
                ])
                return .unavailable
            }
            self.lose(why)
        }
        return nil
    }

    /// The session is gone but will be resumed: one line an outage, requests in flight
    /// reported as unconfirmed, and the next connection after a backoff.
    private func lose(_ why: String?) {
        self.linkTask?.cancel()  // a kicked connection: the server closes it anyway
        (self.outbound, self.loggedIn, self.awaitingMissed) = (nil, false, false)
        if !self.lost {
            self.lost = true
            self.show([self.options.style.error("* " + Resume.lostText(why))])
            for request in self.pending {
                switch request {
                case .say(let text), .privateMessage(_, let text):
                    self.refused(
                        "not confirmed before the connection was lost (it may have been sent): \(sanitize(text))"
                    )
                case .who, .refreshOnline, .history:
                    break
                }
            }
            self.pending.removeAll()
        }
        self.link += 1
        guard let events = self.events else { return }
        let (link, delay) = (self.link, self.backoff.next())
        self.retryTask = Task {
            guard (try? await Task.sleep(for: delay)) != nil else { return }
            events.yield(.retry(link: link))
        }
    }

    /// The reply to a login with the token after a lost connection.
    private func resumed(_ reply: LoginResMes) async throws(ChatFailure) -> ExitStatus? {
        if reply.code != StatusCode.ok && Resume.retryable(reply) {
            self.lose("login refused (\(reply.code))" + (reply.error.isEmpty ? "" : ": \(reply.error)"))
            return nil
        }
        if let failure = ChatFailure.login(reply, user: self.options.user) { throw failure }
        (self.loggedIn, self.lost, self.awaitingMissed) = (true, false, true)
        self.resume.accepted(reply)
        self.backoff.reset()
        // Who came and went meanwhile, for completion; the OfflineMes comes first.
        self.pending.append(.refreshOnline)
        try await self.send(.onlineUsers)
        return nil
    }

    /// Lines typed while not connected, in order, once logged in again.
    private func sendQueued() async throws(ChatFailure) -> ExitStatus? {
        let lines = self.queued
        self.queued = []
        for line in lines {
            if let status = try await self.submit(line) { return status }
        }
        return nil
    }

    /// A refusal: on screen when interactive, on stderr otherwise (stdout carries only messages).
    private func refused(_ why: String) {
        self.refusals += 1
        if self.options.interactive { self.show([self.options.style.error("! " + why)]) } else { Terminal.warn(why) }
    }

    private func refused(_ code: Int, _ error: String, what: String) {
        self.refused("\(what): \(code)" + (error.isEmpty ? "" : " \(sanitize(error))"))
    }

    /// The prompt's history from the last runs; a file that cannot be read is reported, not fatal.
    private func loadHistory() -> [String] {
        guard let path = self.options.historyFile else { return [] }
        var file = HistoryFile(path: path)
        do {
            let lines = try file.load()
            self.historyFile = file
            return lines
        } catch {
            self.show([self.options.style.error("! history not kept: \(sanitize(error.message))")])
            return []
        }
    }

    /// Appends lines the editor just remembered to the history file; on failure says
    /// so once and keeps the history in memory only.
    private func keep(_ lines: [String]) {
        guard !lines.isEmpty, var file = self.historyFile else { return }
        do {
            try file.append(lines)
            self.historyFile = file
        } catch {
            self.historyFile = nil
            self.show([self.options.style.error("! history not kept: \(sanitize(error.message))")])
        }
    }

    private func updateCompletion() {
        var users = self.online
        users[self.options.user] = nil  // nobody completes to themselves
        for (id, name) in users where name.isEmpty { users[id] = self.renderer.names[id] ?? "" }
        self.editor?.completer.users = users
    }

    /// Prints lines above the prompt: clear the prompt line, print, redraw prompt and input.
    private func show(_ lines: [String]) {
        guard !lines.isEmpty else { return }
        let text = lines.joined(separator: "\n") + "\n"
        if var editor = self.editor {
            editor.width = Terminal.columns()
            self.editor = editor
            Terminal.output(editor.clear() + text + editor.redraw())
        } else {
            Terminal.output(text)
        }
    }
}

extension InputLine {
    /// Whether the line is a request to the server (queued while not connected).
    fileprivate var needsServer: Bool {
        switch self {
        case .say, .privateMessage, .who, .history, .historyMore: true
        case .help, .quit, .empty, .invalid: false
        }
    }
}
