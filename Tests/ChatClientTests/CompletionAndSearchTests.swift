// SPDX-License-Identifier: Apache-2.0
import ChatClient
import Testing

@Suite struct CompletionAndSearchTests {
    static let users = [100: "ann", 101: "anna", 200: "bob", 300: "李明"]

    @Test(arguments: [
        ("/wh", Completer.Result.replace(count: 3, with: "/who ")),
        ("/h", .candidates(["/help", "/history"])),
        ("/x", .none),
        ("/msg b", .replace(count: 1, with: "200 ")),
        ("/msg 3", .replace(count: 1, with: "300 ")),
        ("/msg 李", .replace(count: 1, with: "300 ")),
        ("/msg an", .candidates(["ann(100)", "anna(101)"])),
        ("/msg 1", .replace(count: 1, with: "10")),
        ("hi Bo", .replace(count: 2, with: "bob ")),
        ("hi an", .replace(count: 2, with: "ann")),
        ("hi ", .none),
        ("/msg 200 hi an", .replace(count: 2, with: "ann")),
    ])
    func completes(before: String, expected: Completer.Result) {
        #expect(Completer(users: Self.users).complete(before) == expected)
    }

    @Test func tabInTheEditor() {
        var e = LineEditor(prompt: "> ")
        e.completer.users = Self.users
        _ = e.feed(Array("/m\t".utf8))
        #expect(e.line == "/msg ")
        _ = e.feed(Array("bo\thi".utf8))
        #expect(e.line == "/msg 200 hi")
        var listing = LineEditor(prompt: "> ")
        listing.completer.users = Self.users
        let shown = listing.feed(Array("/msg an\t".utf8)).output
        #expect(shown.hasSuffix("\r\u{1B}[Kann(100)  anna(101)\r\n\r> /msg an\u{1B}[K"))
    }

    @Test func reverseSearch() {
        var e = LineEditor(prompt: "> ")
        e.loadHistory(["hello ann", "bye", "hello 李"])
        _ = e.feed(Array("draft".utf8))
        #expect(e.feed(Array("\u{12}hel".utf8)).output.hasSuffix("\r(search `hel'): hello 李\u{1B}[K"))
        _ = e.feed([0x12])  // older
        #expect(e.redraw() == "\r(search `hel'): hello ann\u{1B}[K")
        #expect(e.feed(Array(Keys.enter.utf8)).actions == [.submit("hello ann")])

        // ctrl-g gives the line back; another key takes the match and acts on it.
        _ = e.feed(Array("draft\u{12}bye\u{07}".utf8))
        #expect(e.line == "draft")
        _ = e.feed(Array("\u{12}zz".utf8))
        #expect(e.redraw() == "\r(search failed `zz'): \u{1B}[K")
        _ = e.feed(Array("\u{07}\u{15}\u{12}bye".utf8))
        _ = e.feed(Array(Keys.left.utf8))
        #expect(e.line == "bye")
        #expect(e.cursor == 2)
    }
}
