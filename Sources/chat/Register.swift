// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import ChatClient
import ChatProtocol

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

struct Register: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Register a new user.",
        discussion: """
            The id comes from --user (or CHAT_USER, or the config file), the name from --name; \
            whatever is missing is asked on the terminal, or read as lines from stdin (id, name, \
            password, in that order) when stdin is not a terminal. Exits 4 if the id is taken.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Your display name.", valueName: "name"))
    var name: String?

    func run() async throws {
        let config = try self.global.config()
        let terminal = Terminal.isTerminal(STDIN_FILENO)
        let id: Int
        if let user = config.user {
            id = user
        } else {
            let answer = try Self.ask("User id: ", terminal: terminal)
            guard let parsed = Answer.userID(answer) else {
                throw ChatFailure(.usage, "invalid user id `\(answer)` (expected a number)")
            }
            id = parsed
        }
        let name = try self.name ?? Self.ask("Name: ", terminal: terminal)
        // The server's rules, checked here too so that its 400 can mean "taken".
        guard id > 0 else { throw ChatFailure(.usage, "the user id must be positive") }
        if let problem = UserName.problem(name) { throw ChatFailure(.usage, problem) }
        let password = try self.password(config, terminal: terminal)
        guard !password.isEmpty else { throw ChatFailure(.usage, "the password must not be empty") }

        let user = ChatProtocol.User(userid: id, userpwd: password, username: name)
        let debug = self.global.debugSink
        let reply = try await Connection.with(config.server, tls: config.tls) { inbound, outbound in
            var session = Session(inbound: inbound, outbound: outbound, debug: debug)
            try await session.send(.register(RegisterMes(user: user)))
            return try await session.wait(for: "register") { m -> RegisterResMes? in
                if case .registerResult(let r) = m { return r }
                return nil
            }
        }
        switch reply.code {
        case StatusCode.ok: Terminal.output("registered \(sanitize(name))(\(id))\n")
        case StatusCode.badRequest where reply.error.isEmpty || reply.error.contains("already"):
            throw ChatFailure(.alreadyRegistered, "id \(id) is already registered")
        default: throw ChatFailure.refused(code: reply.code, error: reply.error, what: "register")
        }
    }

    private static func ask(_ prompt: String, terminal: Bool) throws(ChatFailure) -> String {
        let answer = terminal ? Terminal.ask(prompt) : Credentials.readLineFromStdin()
        guard let answer else { throw ChatFailure(.usage, "missing \(prompt.dropLast(2).lowercased())") }
        return answer
    }

    /// Configured sources first; then asked twice without echo, or one line of stdin.
    private func password(_ config: ClientConfig, terminal: Bool) throws(ChatFailure) -> String {
        if self.global.passwordStdin || config.passwordFile != nil || !terminal {
            if !self.global.passwordStdin && config.passwordFile == nil {
                guard let line = Credentials.readLineFromStdin(), !line.isEmpty else {
                    throw ChatFailure(.usage, "missing password")
                }
                return line
            }
            return try self.global.password(config)
        }
        let first = try self.global.password(config, prompt: "New password: ")
        let second = try self.global.password(config, prompt: "Repeat password: ")
        guard first == second else { throw ChatFailure(.usage, "the passwords differ") }
        guard !first.isEmpty else { throw ChatFailure(.usage, "the password must not be empty") }
        return first
    }
}
