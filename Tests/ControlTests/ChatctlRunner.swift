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

    static func run(_ arguments: [String], socket: String?, stdin: String? = nil, as uid: UInt32? = nil,
                    environment: [String: String] = [:]) async throws -> ChatctlRun {
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
        let command = ([productPath("chatctl"), "--socket", socket] + arguments).map { "'\($0)'" }.joined(separator: " ")
        let env = ProcessInfo.processInfo.environment.filter { $0.key != "CHATCTL_SOCKET" }
        return try await runProcess(["/usr/bin/script", "--quiet", "--return", "--command", command, "/dev/null"],
                                    stdin: input, environment: env)
    }

    /// Runs to completion on a Dispatch thread (the pipes are read there), never
    /// blocking the test's cooperative threads.
    private static func runProcess(_ command: [String], stdin: String?, environment: [String: String]) async throws -> ChatctlRun {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: command[0])
                process.arguments = Array(command.dropFirst())
                process.environment = environment
                let output = Pipe()
                let errors = Pipe()
                let input = Pipe()
                process.standardOutput = output
                process.standardError = errors
                process.standardInput = stdin == nil ? FileHandle.nullDevice : input
                do {
                    try process.run()
                } catch {
                    continuation.resume(throwing: error)
                    return
                }
                if let stdin {
                    input.fileHandleForWriting.write(Data(stdin.utf8))
                    try? input.fileHandleForWriting.close()
                }
                let group = DispatchGroup()
                nonisolated(unsafe) var errorData = Data()
                group.enter()
                DispatchQueue.global().async {
                    errorData = errors.fileHandleForReading.readDataToEndOfFile()
                    group.leave()
                }
                let outputData = output.fileHandleForReading.readDataToEndOfFile()
                group.wait()
                process.waitUntilExit()
                continuation.resume(returning: ChatctlRun(
                    status: process.terminationStatus,
                    stdout: String(decoding: outputData, as: UTF8.self),
                    stderr: String(decoding: errorData, as: UTF8.self)))
            }
        }
    }
}
