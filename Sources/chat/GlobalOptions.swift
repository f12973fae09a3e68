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

/// Options every command takes. Values not given here come from the environment,
/// then the config file, then the defaults (see `ClientConfig.resolve`).
struct GlobalOptions: ParsableArguments {
    @Option(help: ArgumentHelp("chatd address (env CHAT_SERVER; default 127.0.0.1:8889).", valueName: "host:port"))
    var server: String?

    @Option(help: ArgumentHelp("Your user id (env CHAT_USER).", valueName: "id"))
    var user: String?

    @Option(
        help: ArgumentHelp(
            "Read the password from the first line of this file (env CHAT_PASSWORD_FILE).",
            valueName: "path"
        )
    )
    var passwordFile: String?

    @Flag(
        inversion: .prefixedNo,
        help:
            "Connect with TLS, verifying the server against the system's CAs or --ca-file (env CHAT_TLS=1; default off)."
    )
    var tls: Bool?

    @Option(
        help: ArgumentHelp(
            "Verify the TLS server against this PEM CA file instead of the system's; implies --tls (env CHAT_CA_FILE).",
            valueName: "path"
        )
    )
    var caFile: String?

    @Flag(help: "Read the password from the first line of stdin.")
    var passwordStdin = false

    @Flag(help: "Report frames this client cannot read instead of ignoring them.")
    var debug = false

    @Flag(
        name: .customLong("no-reconnect"),
        help: "chat and chat listen: end when the connection drops (69) or on any kick (1) instead of logging in again."
    )
    var noReconnect = false

    /// Flags > environment > config file > defaults.
    func config() throws(ChatFailure) -> ClientConfig {
        let env = ProcessInfo.processInfo.environment
        var file = ConfigLayer()
        if let path = ClientConfig.filePath(environment: env), let data = FileManager.default.contents(atPath: path) {
            file = try ConfigLayer.file(String(decoding: data, as: UTF8.self), path: path)
        }
        let flags = ConfigLayer.flags(
            server: self.server,
            user: self.user,
            passwordFile: self.passwordFile,
            tls: self.tls,
            caFile: self.caFile
        )
        return try ClientConfig.resolve(flags: flags, environment: .environment(env), file: file)
    }

    /// The user id, asked on the terminal when not configured.
    func userID(_ config: ClientConfig) throws(ChatFailure) -> Int {
        if let user = config.user { return user }
        guard Terminal.isTerminal(STDIN_FILENO), let answer = Terminal.ask("User id: ") else {
            throw ChatFailure(.usage, "no user id: pass --user ID, set CHAT_USER, or `user` in the config file")
        }
        guard let id = Answer.userID(answer) else {
            throw ChatFailure(.usage, "invalid user id `\(answer)` (expected a number)")
        }
        return id
    }

    /// The password from stdin, a file, or a prompt without echo.
    func password(_ config: ClientConfig, prompt: String = "Password: ") throws(ChatFailure) -> String {
        if self.passwordStdin {
            guard let line = Credentials.readLineFromStdin(), !line.isEmpty else {
                throw ChatFailure(.usage, "--password-stdin: no password on stdin")
            }
            return line
        }
        if let path = config.passwordFile { return try Credentials.readPasswordFile(path) }
        guard let answer = Terminal.readSecret(prompt: prompt) else {
            throw ChatFailure(
                .usage,
                "no password: pass --password-file PATH or --password-stdin (no terminal to ask on)"
            )
        }
        return answer
    }

    var style: Style {
        Style.decide(
            environment: ProcessInfo.processInfo.environment,
            stdoutIsTerminal: Terminal.isTerminal(STDOUT_FILENO)
        )
    }

    var debugSink: (@Sendable (String) -> Void)? {
        guard self.debug else { return nil }
        return { Terminal.warn("(debug) \($0)") }
    }
}
