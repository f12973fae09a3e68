// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import BuildInfo
import ChatClient

/// `chat`: the user's client of chatd.
///
/// Exit status (also in `--help`): 0 ok; 1 the server refused; 2 usage; 3 bad
/// credentials; 4 id already registered; 69 server unreachable or connection lost (with --no-reconnect);
/// 130 interrupted. See `ExitStatus`.
struct ChatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat",
        abstract: "Chat on a chatd server: interactively, or one command at a time for scripts.",
        discussion: """
            Without a subcommand, `chat` logs in and chats: with a prompt and line editing when \
            stdin is a terminal, otherwise sending each line of stdin to everyone (lines starting \
            with / are commands) until EOF.

            Settings: flags > environment (CHAT_SERVER, CHAT_USER, CHAT_PASSWORD_FILE, CHAT_TLS, \
            CHAT_CA_FILE) > $XDG_CONFIG_HOME/chat/config (default ~/.config/chat/config; `key = value` \
            lines with keys server, user, password_file, tls, ca_file; # comments; "quotes" keep spaces; the \
            syntax of chatd's file) > defaults. The password comes from \
            --password-stdin, a password file, or is asked without echo. NO_COLOR turns colour off.

            `chat` and `chat listen` log in again by themselves when the connection drops or the \
            server restarts (with the resume token, waiting 0.25 s doubling to 10 s, jittered), then \
            say "reconnected, N missed messages" and show those once. An admin's kick ends the \
            session (1), a refused login with the token too (3). --no-reconnect ends at the drop (69).

            \(ExitStatus.helpText)
            """,
        version: "chat \(Version.text)",
        subcommands: [
            Interactive.self, Register.self, Send.self, Msg.self, Who.self, History.self, Listen.self,
        ],
        defaultSubcommand: Interactive.self
    )
}
