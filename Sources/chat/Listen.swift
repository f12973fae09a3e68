// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import ChatClient
import ChatProtocol

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

struct Listen: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print incoming messages until interrupted or disconnected.",
        discussion: """
            Messages missed while offline come first. With --json, one object per line, e.g. \
            {"content":"hi","from":100,"id":"…","ts":…,"type":"SmsMes","username":"ann"}; \
            types SmsMes, PrivateMes, NotifyUserStatusMes, KickedMes, ErrorMes (offline ones \
            carry "offline":true). When the connection drops or the server restarts (a KickedMes \
            with "reconnect":true), `listen` says so on stderr, logs in again with backoff, and \
            prints {"type":"reconnected","missed":N} followed by the N messages missed meanwhile \
            (nothing already printed is printed again). Exits 1 on a kick that does not allow \
            coming back, 3 if logging in again is refused, 130 on ctrl-c; with --no-reconnect, \
            69 when the connection ends and 1 on any kick.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Flag(help: "One JSON object per line.")
    var json = false

    func run() async throws {
        let json = self.json
        let style = self.global.style
        let config = try self.global.config()
        let user = try self.global.userID(config)
        let password = try self.global.password(config)
        var renderer = Renderer(style: style, selfID: user)
        var listener = Listener(
            server: config.server,
            tls: config.tls,
            user: user,
            password: password,
            reconnect: !self.global.noReconnect,
            debug: self.global.debugSink
        )
        try await listener.run { event in
            let now = Date()
            var lines: [String] = []
            switch event {
            case .loggedIn(let login):
                renderer.learn(user, login.username)
            case .message(let message):
                lines = json ? JSONEvent.events(for: message).map { $0.line() } : renderer.render(message, now: now)
            case .lost(let why, let kick):
                if json {
                    lines = kick.map { JSONEvent.events(for: .kicked($0)).map { $0.line() } } ?? []
                    Terminal.warn(Resume.lostText(why))
                } else {
                    lines = [style.error("* " + Resume.lostText(why))]
                }
            case .reconnected(let missed):
                lines =
                    json
                    ? [JSONEvent.reconnected(missed: missed.messages.count).line()]
                        + JSONEvent.events(for: .offline(missed)).map { $0.line() }
                    : [style.notice("* " + Resume.reconnectedText(missed: missed.messages.count))]
                        + renderer.missed(missed, now: now)
            }
            if !lines.isEmpty { Terminal.output(lines.joined(separator: "\n") + "\n") }
        }
    }
}
