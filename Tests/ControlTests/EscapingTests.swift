// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import ChatTesting
import ControlProtocol
import Foundation
import TestTier
import Testing

/// A name from before the name rules (written straight into Redis) reaches chatctl's
/// output escaped: no terminal escape, C1 or bidi control gets to the admin raw.
@Suite(.integration) struct EscapingTests {
    /// Cursor up + erase line, OSC 0 (window title), OSC 52 (clipboard), C1 CSI, RLO, tab, newline.
    static let evil = "ann\u{1B}[1A\u{1B}[2K\u{1B}]0;owned\u{07}\u{1B}]52;c;cm0gLXJmIH4=\u{07}\u{9B}31m\u{202E}gnp\t\n"
    static let shown = #"ann\u{1B}[1A\u{1B}[2K\u{1B}]0;owned\u{7}\u{1B}]52;c;cm0gLXJmIH4=\u{7}\u{9B}31m\u{202E}gnp\t\n"#

    /// C0 (but the newlines that end output lines), DEL, C1, bidi controls, U+2028/2029.
    static func rawControls(_ text: String) -> [String] {
        text.unicodeScalars.filter { scalar in
            switch scalar.value {
            case 0x0A: return false
            case 0x00...0x1F, 0x7F...0x9F, 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0x2028, 0x2029:
                return true
            default: return false
            }
        }.map { "U+" + String($0.value, radix: 16, uppercase: true) }
    }

    @Test func everyCommandEscapesAPlantedName() async throws {
        try await Deployment.with { chatd in
            try await chatd.register(1...2)
            try await chatd.redisCommand("HSET", "chat:user:1", "username", Self.evil)
            let ann = try await chatd.login(1)
            let bob = try await chatd.login(2)

            for arguments in [["users"], ["sessions"], ["user", "show", "1"], ["user", "list"]] {
                let run = try await Chatctl.run(arguments, socket: chatd.socket)
                #expect(run.status == 0, "\(arguments): \(run.stderr)")
                #expect(Self.rawControls(run.stdout + run.stderr) == [], "\(arguments) printed raw controls")
                #expect(run.stdout.contains(Self.shown), "\(arguments) does not show the name escaped:\n\(run.stdout)")
            }

            // Tables still line up: escaped cells are measured as printed.
            let users = try await chatd.chatctl("users").lines
            #expect(users.count == 3)
            #expect(Set(users.map(\.count)).count == 1, "ragged table:\n\(users.joined(separator: "\n"))")
            let sessions = try await chatd.chatctl("sessions").lines
            let peerColumn = try #require(sessions.first?.range(of: "PEER")).lowerBound.utf16Offset(in: sessions[0])
            #expect(sessions.count == 3)
            for line in sessions.dropFirst() {
                let peer = try #require([ann.peer, bob.peer].first { line.contains($0) })
                #expect(line.range(of: peer)?.lowerBound.utf16Offset(in: line) == peerColumn, "\(line)")
            }
            let list = try await chatd.chatctl("user", "list").lines
            let disabledColumn = try #require(list.first?.range(of: "DISABLED")).lowerBound.utf16Offset(in: list[0])
            for line in list.dropFirst() {
                #expect(line.range(of: " no ")?.upperBound.utf16Offset(in: line) == disabledColumn + 3, "\(line)")
            }
            // One key/value line per field: the newline in the name did not start another.
            #expect(try await chatd.chatctl("user", "show", "1").lines.count == 9)

            // JSON carries the name exactly, with C1 and bidi escaped as JSON escapes them.
            for arguments in [
                ["--json", "users"], ["--json", "sessions"], ["--json", "user", "show", "1"],
                ["--json", "user", "list"],
            ] {
                let run = try await Chatctl.run(arguments, socket: chatd.socket)
                #expect(run.status == 0)
                #expect(Self.rawControls(run.stdout) == [], "\(arguments) printed raw controls")
                #expect(run.stdout.contains(#"\u009B"#) && run.stdout.contains(#"\u202E"#))
            }
            let json = try await chatd.chatctl("--json", "users").json
            let annJSON = json["users"]?.array?.first { $0["user_id"]?.int == 1 }
            #expect(annJSON?["username"]?.string.map { Array($0.unicodeScalars) } == Array(Self.evil.unicodeScalars))

            // Error texts too: chatd's answer quotes the unknown session id.
            let kick = try await chatd.chatctl("kick", "\u{1B}]0;x\u{07}\u{202E}")
            #expect(kick.status == 1)
            #expect(Self.rawControls(kick.stdout + kick.stderr) == [])
            #expect(kick.stderr == #"chatctl: no such session: \u{1B}]0;x\u{7}\u{202E}"# + "\n")
        }
    }
}
