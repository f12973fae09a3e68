// SPDX-License-Identifier: Apache-2.0
import ChatClient
import Testing

@Suite struct SlashCommandTests {
    @Test(arguments: [
        ("hello everyone", InputLine.say("hello everyone")),
        ("  spaced  ", .say("  spaced  ")),
        ("", .empty),
        ("   ", .empty),
        ("/msg 200 hi there", .privateMessage(to: 200, text: "hi there")),
        ("/m 200   hi", .privateMessage(to: 200, text: "hi")),
        ("/who", .who),
        ("/history", .history(limit: nil)),
        ("/history 5", .history(limit: 5)),
        ("/history more", .historyMore),
        ("/h more", .historyMore),
        ("/msg 200 two\nlines", .privateMessage(to: 200, text: "two\nlines")),
        ("line one\nline two", .say("line one\nline two")),
        ("/help", .help),
        ("/quit", .quit),
        ("/q", .quit),
        ("//etc/passwd is a path", .say("/etc/passwd is a path")),
    ])
    func parses(line: String, expected: InputLine) {
        #expect(InputLine.parse(line) == expected)
    }

    @Test(arguments: [
        "/msg", "/msg 200", "/msg bob hi", "/msg 200    ", "/history 0", "/history x", "/who me", "/dance",
    ])
    func rejects(line: String) {
        guard case .invalid(let why) = InputLine.parse(line) else {
            Issue.record("\(line) parsed as a command")
            return
        }
        #expect(!why.isEmpty)
    }
}
