// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import Foundation
import NIOCore

/// The chat session of `chat` without a subcommand: interactive with a line editor
/// when stdin is a terminal, otherwise line by line from stdin until EOF.
///
/// One task owns all state. Network messages, stdin bytes and the end of either
/// arrive as events on one stream, so printing above the prompt needs no locks.
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

        public init(server: ServerAddress, user: Int, password: String, style: Style, interactive: Bool,
                    debug: Bool = false, heartbeat: TimeAmount = Connection.defaultHeartbeat, tls: ClientTLS? = nil,
                    bell: Bool = false, historyFile: String? = nil) {
            (self.server, self.user, self.password, self.style) = (server, user, password, style)
            (self.interactive, self.debug, self.heartbeat, self.tls) = (interactive, debug, heartbeat, tls)
            (self.bell, self.historyFile) = (bell, historyFile)
        }
    }

    enum Event: Sendable {
        case inbound(Inbound)
        case closed(String?)
        case input([UInt8])
        case inputEnded
    }

    /// A request waiting for its reply, so our own message can be shown once stored.
    enum Pending {
        case say(String)
        case privateMessage(to: Int, text: String)
        case who
        case history(limit: Int)
    }

    private let options: Options
    private var renderer: Renderer
    private var editor: LineEditor?
    private var splitter = LineSplitter()
    private var pending: [Pending] = []
    private var loggedIn = false
    private var inputEnded = false
    private var refusals = 0
    private var outbound: NIOAsyncChannelOutboundWriter<ClientMessage>?
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
    }

    /// Runs until /quit, EOF, ctrl-c or the connection's end; returns the exit status.
    public func run() async throws(ChatFailure) -> ExitStatus {
        do {
            return try await Connection.with(self.options.server, tls: self.options.tls, heartbeat: self.options.heartbeat) { inbound, outbound in
                self.outbound = outbound
                let (events, continuation) = AsyncStream.makeStream(of: Event.self)
                return try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        do {
                            for try await message in inbound { continuation.yield(.inbound(message)) }
                            continuation.yield(.closed(nil))
                        } catch {
                            continuation.yield(.closed(Connection.describe(error)))
                        }
                    }
                    defer {
                        group.cancelAll()
                        if let editor = self.editor {
                            Terminal.output(editor.clear())  // leave no half prompt behind
                            Terminal.restore()
                        }
                    }
                    try await self.send(.login(LoginMes(userid: self.options.user, userpwd: self.options.password)))
                    for await event in events {
                        if let status = try await self.handle(event, startInput: {
                            group.addTask {
                                for await chunk in StdinReader.chunks() { continuation.yield(.input(chunk)) }
                                continuation.yield(.inputEnded)
                            }
                        }) {
                            return status
                        }
                    }
                    return .unavailable
                }
            }
        } catch let failure as ChatFailure {
            throw failure
        } catch {
            throw ChatFailure(.unavailable, "connection lost: \(Connection.describe(error))")
        }
    }

    /// Handles one event; a status ends the loop.
    private func handle(_ event: Event, startInput: () -> Void) async throws(ChatFailure) -> ExitStatus? {
        switch event {
        case .inbound(.unreadable(let why)):
            if self.options.debug { self.show([self.options.style.dim("(debug) ignored frame: \(sanitize(why))")]) }
        case .inbound(.message(let message)):
            return try await self.receive(message, startInput: startInput)
        case .closed(let why):
            self.show([self.options.style.error("* connection closed by the server" + (why.map { ": \(sanitize($0))" } ?? ""))])
            return .unavailable
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
        switch message {
        case .loginResult(let reply) where !self.loggedIn:
            if let failure = ChatFailure.login(reply, user: self.options.user) { throw failure }
            self.loggedIn = true
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
                  case .say(let text) = self.pending.remove(at: index) else { break }
            if ack.code == StatusCode.ok {
                self.show([self.renderer.own(content: text, to: nil, ts: ack.ts, now: now)])
            } else {
                self.refused(ack.code, ack.error, what: "message not sent")
            }
            return try await self.finishIfIdle()
        case .privateResult(let ack):
            guard let index = self.pending.firstIndex(where: { if case .privateMessage = $0 { true } else { false } }),
                  case .privateMessage(let to, let text) = self.pending.remove(at: index) else { break }
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
                case (.who, .onlineUsers), (.history, .history): return true
                default: return false
                }
            }
            if let index = self.pending.firstIndex(where: kindMatches),
               case .history(let limit) = self.pending.remove(at: index), case .history(let page) = message {
                self.olderThan = page.more ? page.messages.last.map { ($0.id, limit) } : nil
                self.historyShown = true
            }
            if case .onlineUsers(let list) = message, list.code == StatusCode.ok {
                self.online = Dictionary(list.users.map { ($0.userid, $0.username) }, uniquingKeysWith: { a, _ in a })
                self.updateCompletion()
            }
            self.show(self.renderer.render(message, now: now))
            return try await self.finishIfIdle()
        case .error(let e):
            // The answer to the oldest request, when one is waiting (e.g. 429, 503).
            if !self.pending.isEmpty { self.pending.removeFirst() }
            self.refused(e.code, e.error, what: "server error")
            return try await self.finishIfIdle()
        case .kicked:
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
        switch InputLine.parse(line) {
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
        guard self.inputEnded, self.pending.isEmpty else { return nil }
        return try await self.quit()
    }

    private func quit() async throws(ChatFailure) -> ExitStatus {
        try? await self.outbound?.write(.logout)
        return self.refusals > 0 && !self.options.interactive ? .refused : .ok
    }

    private func send(_ message: ClientMessage) async throws(ChatFailure) {
        do {
            try await self.outbound?.write(message)
        } catch {
            throw ChatFailure(.unavailable, "connection lost: \(Connection.describe(error))")
        }
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
