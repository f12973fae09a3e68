// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import ChatTesting
import TestTier
import Testing

/// Registration refuses names that would reach other people's terminals as controls,
/// and names over 64 bytes however few characters they are; nothing is stored then.
@Suite(.integration) struct NameTests {
    @Test func controlCharactersAreRefusedAndNothingIsStored() async throws {
        let names: [(String, String)] = [
            ("cursor up and erase line", "ann\u{1B}[1A\u{1B}[2K"),
            ("OSC 0 window title", "\u{1B}]0;owned\u{07}bob"),
            ("OSC 52 clipboard", "\u{1B}]52;c;cm0gLXJmIH4=\u{07}"),
            ("C1 CSI", "x\u{9B}31m"),
            ("NUL", "a\u{0}b"),
            ("newline", "two\nlines"),
            ("DEL", "del\u{7F}"),
            ("right-to-left override", "evil\u{202E}gnp.exe"),
            ("bidi isolate", "\u{2066}x\u{2069}"),
            ("Arabic letter mark", "a\u{61C}b"),
            ("line separator", "a\u{2028}b"),
        ]
        // Every refused attempt counts against the address otherwise.
        try await Deployment.with(environment: ["CHATD_REGISTRATIONS_PER_ADDRESS": "0"]) { d in
            let client = try await d.client()
            for (index, (kind, name)) in names.enumerated() {
                let id = 100 + index
                let reply = try await client.register(id, name: name, password: "pw")
                #expect(reply.code == StatusCode.badRequest, "\(kind)")
                #expect(
                    reply.error.hasPrefix("user name must not contain control or bidirectional formatting characters"),
                    "\(kind): \(reply.error)"
                )
                #expect(try await d.redis.command(["EXISTS", "chat:user:\(id)"]).int == 0, "\(kind) was stored")
            }
            // The connection is still good for a proper name.
            #expect(try await client.register(1, name: "ann", password: "pw").code == StatusCode.ok)
        }
    }

    @Test func lengthIsCountedInBytes() async throws {
        // Every refused attempt counts against the address otherwise.
        try await Deployment.with(environment: ["CHATD_REGISTRATIONS_PER_ADDRESS": "0"]) { d in
            let client = try await d.client()
            // One character of 50,001 bytes.
            let zalgo = "e" + String(repeating: "\u{301}", count: 25_000)
            let huge = try await client.register(1, name: zalgo, password: "pw")
            #expect(huge.code == StatusCode.badRequest)
            #expect(huge.error == "user name must be 1 to 64 bytes of UTF-8 (this one has 50001)")
            #expect(try await d.redis.command(["EXISTS", "chat:user:1"]).int == 0)

            let empty = try await client.register(2, name: "", password: "pw")
            #expect(empty.code == StatusCode.badRequest && empty.error.contains("1 to 64 bytes"))

            // 64 bytes (21 three-byte characters and one byte) pass; 65 do not.
            let sixtyFour = String(repeating: "山", count: 21) + "a"
            #expect(sixtyFour.utf8.count == 64)
            #expect(try await client.register(3, name: sixtyFour, password: "pw").code == StatusCode.ok)
            let (login, _) = try await client.login(3, password: "pw")
            #expect(login.code == StatusCode.ok && login.username == sixtyFour)

            let other = try await d.client()
            let sixtyFive = try await other.register(4, name: sixtyFour + "b", password: "pw")
            #expect(sixtyFive.code == StatusCode.badRequest)
            #expect(sixtyFive.error.contains("this one has 65"))
            #expect(try await d.redis.command(["EXISTS", "chat:user:4"]).int == 0)
        }
    }
}
