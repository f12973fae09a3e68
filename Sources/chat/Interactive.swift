// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import ChatClient

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// The default command: a chat session (see `ChatLoop`).
struct Interactive: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Log in and chat (the default): a prompt on a terminal, else lines from stdin.",
        discussion: """
            At the prompt: /msg ID TEXT, /who, /history [N], /quit, /help; any other line goes to \
            everyone. Keys: left/right, home/end (ctrl-a/ctrl-e), backspace, delete, ctrl-u, ctrl-k, \
            ctrl-w, alt-b/alt-f by words, up/down and ctrl-r for history (kept in \
            $XDG_STATE_HOME/chat/history), tab completes commands and names, PgUp pages back through \
            messages, ctrl-l redraw, ctrl-d on an empty line quits, ctrl-c interrupts. A paste of several \
            lines is one message. `bell = off` in the config file silences the bell on private messages. \
            When the connection drops or the server restarts, `chat` logs in again by itself (see --no-reconnect) \
            and says "reconnected, N missed messages" before showing them; lines typed meanwhile are sent then.
            """
    )

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let config = try self.global.config()
        let interactive = Terminal.isTerminal(STDIN_FILENO)
        let user = try self.global.userID(config)
        let password = try self.global.password(config)
        let options = ChatLoop.Options(
            server: config.server,
            user: user,
            password: password,
            style: self.global.style,
            interactive: interactive,
            debug: self.global.debug,
            tls: config.tls,
            bell: config.bell,
            historyFile: HistoryFile.path(environment: ProcessInfo.processInfo.environment),
            reconnect: !self.global.noReconnect
        )
        let status = try await ChatLoop(options: options).run()
        if status != .ok { throw ChatFailure(status, "") }
    }
}
