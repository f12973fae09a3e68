// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import BuildInfo
import ChatProtocol
import ControlProtocol

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

@main
struct Chatctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chatctl",
        abstract: "Administer a running chatd: who is online, kick sessions, look after user records.",
        discussion: """
            chatctl talks to chatd over its control socket (default /run/chatd/control.sock, or \
            $CHATCTL_SOCKET). Only root and members of chatd's admin group (admin_group, default \
            chatadm) or listed admin_users may use it; every change is logged to the journal with \
            your uid.

            Examples:
              chatctl sessions                      who is online, one line per session
              chatctl sessions --all-nodes          the same for every node on this Redis
              chatctl kick 1a2b3c4d5e6f --reason "spam"
              chatctl user show 42                  a user's record (the hash never shown)
              chatctl user disable 42               refuse logins and end live sessions
              chatctl user enable 42

            Exit status: 0 done; 1 chatd refused (unknown user or session, bad input); \
            2 usage error; 69 chatd unreachable; 77 permission denied.
            """,
        version: "chatctl \(Version.text)",
        subcommands: [
            Status.self, Stats.self, Users.self, Sessions.self, Kick.self, KickUser.self,
            Nodes.self, UserCommand.self, Broadcast.self, Reload.self,
        ]
    )

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Control socket of chatd (default: $CHATCTL_SOCKET or /run/chatd/control.sock).",
            valueName: "path"
        )
    )
    var socket: String?

    @Flag(name: .long, help: "Print the result as JSON, for scripts.")
    var json = false

    static let defaultSocket = "/run/chatd/control.sock"

    var socketPath: String {
        self.socket ?? ProcessInfo.processInfo.environment["CHATCTL_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
            ?? Self.defaultSocket
    }

    var client: ControlClient { ControlClient(socketPath: self.socketPath) }

    /// Maps every outcome to the promised exit status, with one line on stderr.
    static func main() async {
        let command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))  // --help, --generate-completion-script
                ProcessOutput.end(0)
            }
            fail("\(message(for: error)) (see 'chatctl --help')", status: 2)
        }
        do {
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                var command = command
                try command.run()
            }
        } catch let error as ChatctlError {
            fail(error.message, status: error.exitCode)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                ProcessOutput.end(0)
            }
            fail(message(for: error), status: code == .validationFailure ? 2 : code.rawValue)
        }
        ProcessOutput.end(0)
    }

    /// Error texts may quote chatd, and so names: escaped like all output (see `show`).
    private static func fail(_ message: String, status: Int32) -> Never {
        let line = message.split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? "failed"
        ProcessOutput.error("chatctl: \(TerminalText.escaped(line))\n")
        ProcessOutput.end(status)
    }
}

/// What every command does with chatd's answer: JSON, or the human view.
extension Chatctl {
    /// The one way out for answers. Names and texts in them come from users (and old
    /// records predate the name rules), so no control reaches the admin's terminal raw:
    /// each line of the human view is escaped (tables and key/value lines escape their
    /// cells first, to pad them right); JSON escapes what JSONEncoder leaves raw.
    func show<Result: Sendable>(_ reply: Reply<Result>, _ human: (Result) -> String) {
        self.show(json: reply.json) { human(reply.result) }
    }

    func show(json: JSONValue, _ human: () -> String) {
        if self.json {
            print(Format.json(json))
        } else {
            print(
                human().split(separator: "\n", omittingEmptySubsequences: false)
                    .map { TerminalText.escaped(String($0)) }.joined(separator: "\n")
            )
        }
    }
}
