// SPDX-License-Identifier: Apache-2.0
import ChatTesting
import ControlProtocol
import Foundation
import TestTier
import Testing

/// Bad input on the control socket harms nothing; chatctl's exit codes.
@Suite(.integration) struct RobustnessTests {
    @Test func junkUnknownMethodsAndBadParamsGetJSONRPCErrors() async throws {
        try await Deployment.with { chatd in
            try await chatd.register(1...1)
            let replies = try await RawControlConnection.connect(chatd.socket).exchange(
                """
                this is not json
                {"jsonrpc":"2.0","id":1,"method":"no.such.method"}
                {"jsonrpc":"2.0","id":2,"method":"user.get","params":{"user_id":"one"}}
                {"jsonrpc":"2.0","id":3,"method":"user.get","params":[1]}
                {"jsonrpc":"2.0","id":4,"method":"user.passwd","params":{"user_id":1,"password":"hunter2-secret"},"extra":
                {"jsonrpc":"2.0","id":5,"method":"session.kick","params":{}}
                {"jsonrpc":"2.0","id":6,"method":"status"}

                """,
                replies: 7
            )
            let codes = try replies.map { try JSONValue.decode($0)["error"]?["code"]?.int }
            #expect(codes == [-32700, -32601, -32602, -32602, -32700, -32602, nil])
            // Replies keep request order; the last one is a result.
            #expect(try JSONValue.decode(replies[6])["id"]?.int == 6)
            #expect(try JSONValue.decode(replies[6])["result"]?["redis"]?.string == "up")
            // A line that might hold a password is never echoed.
            #expect(!replies.joined().contains("hunter2"))
            #expect(try await chatd.loginCode(1) == 200)
        }
    }

    @Test func hangingUpMidRequestHarmsNothing() async throws {
        try await Deployment.with { chatd in
            try await chatd.register(1...2)
            // Half a line, then gone.
            try await RawControlConnection.connect(chatd.socket).sendAndHangUp(#"{"jsonrpc":"2.0","id":1,"meth"#)
            // A whole request, gone before the answer (chatd still carries it out; nothing to reply to).
            try await RawControlConnection.connect(chatd.socket).sendAndHangUp(
                #"{"jsonrpc":"2.0","id":1,"method":"user.disable","params":{"user_id":2}}"# + "\n"
            )
            // A line longer than chatd accepts: the connection is closed, chatd serves on.
            // (chatd may close while we still write: a reset is as good as a close here.)
            let long = try? await RawControlConnection.connect(chatd.socket).sendUntilClosed(
                String(repeating: "x", count: 2 << 20)
            )
            #expect(long == nil || long == [])
            let status = try await chatd.chatctl("--json", "status")
            #expect(status.status == 0)
            #expect(try await chatd.loginCode(1) == 200)
        }
    }

    @Test func exitCodesForUsageUnreachableAndRefused() async throws {
        // 69: no chatd on the socket (also via CHATCTL_SOCKET).
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("no-chatd-\(UUID()).sock").path
        let unreachable = try await Chatctl.run(["status"], socket: missing)
        #expect(unreachable.status == 69)
        #expect(unreachable.stderr == "chatctl: chatd is not running: no control socket at \(missing)\n")
        let fromEnv = try await Chatctl.run(["--json", "users"], socket: nil, environment: ["CHATCTL_SOCKET": missing])
        #expect(fromEnv.status == 69)
        #expect(fromEnv.stderr.contains(missing))

        // 2: usage errors, one line, no chatd needed.
        for arguments in [["kick"], ["user", "show", "abc"], ["frobnicate"], ["sessions", "--user"]] {
            let usage = try await Chatctl.run(arguments, socket: missing)
            #expect(usage.status == 2, "\(arguments)")
            #expect(usage.stderr.hasPrefix("chatctl: "))
            #expect(usage.stderr.filter { $0 == "\n" }.count == 1)
        }

        // 0 and the help an administrator starts from.
        let help = try await Chatctl.run(["--help"], socket: nil)
        #expect(help.status == 0)
        for word in ["sessions", "kick", "user", "--reason", "Exit status"] {
            #expect(help.stdout.contains(word))
        }
        for shell in ["bash", "zsh", "fish"] {
            let script = try await Chatctl.run(["--generate-completion-script", shell], socket: nil)
            #expect(script.status == 0)
            #expect(script.stdout.contains("kick-user"))
        }
    }
}
