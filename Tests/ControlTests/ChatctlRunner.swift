// SPDX-License-Identifier: Apache-2.0
import ChatTesting
import ControlProtocol
import Foundation

/// What one run of the real `chatctl` binary produced.
struct ChatctlRun: Sendable {
    var status: Int32
    var stdout: String
    var stderr: String

    /// stdout as JSON (for `--json` runs).
    var json: JSONValue {
        get throws { try JSONDecoder().decode(JSONValue.self, from: Data(self.stdout.utf8)) }
    }

    /// stdout's lines, header first for tables.
    var lines: [String] { self.stdout.split(separator: "\n").map(String.init) }
}

/// Runs the built chatctl against `socket`, optionally as another uid via setpriv.
enum Chatctl {
    static let nobody: UInt32 = 65534

    static func run(
        _ arguments: [String],
        socket: String?,
        stdin: String? = nil,
        as uid: UInt32? = nil,
        environment: [String: String] = [:]
    ) async throws -> ChatctlRun {
        var command = [productPath("chatctl")] + (socket.map { ["--socket", $0] } ?? []) + arguments
        if let uid {
            command = ["/usr/bin/setpriv", "--reuid=\(uid)", "--regid=\(uid)", "--clear-groups"] + command
        }
        var env = ProcessInfo.processInfo.environment.filter { $0.key != "CHATCTL_SOCKET" }
        for (key, value) in environment { env[key] = value }
        return try await runProcess(command, stdin: stdin, environment: env)
    }

    /// Runs chatctl on a pseudo-terminal (util-linux `script`), typing `input`: for prompts.
    static func runOnTerminal(_ arguments: [String], socket: String, input: String) async throws -> ChatctlRun {
        let command = ([productPath("chatctl"), "--socket", socket] + arguments).map { "'\($0)'" }.joined(
            separator: " "
        )
        let env = ProcessInfo.processInfo.environment.filter { $0.key != "CHATCTL_SOCKET" }
        return try await runProcess(
            ["/usr/bin/script", "--quiet", "--return", "--command", command, "/dev/null"],
            stdin: input,
            environment: env
        )
    }

    private static func runProcess(
        _ command: [String],
        stdin: String?,
        environment: [String: String]
    ) async throws -> ChatctlRun {
        let run = try await runToCompletion(
            command[0],
            Array(command.dropFirst()),
            environment: environment,
            stdin: stdin,
            separateErrors: true
        )
        return ChatctlRun(status: run.status, stdout: run.stdout, stderr: run.stderr)
    }
}
