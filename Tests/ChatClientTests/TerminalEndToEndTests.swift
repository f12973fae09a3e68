// SPDX-License-Identifier: Apache-2.0
import ChatClient
import ChatProtocol
import ChatTesting
import Foundation
import TestTier
import Testing

/// The built `chat` on a 40-column pseudo-terminal against a real chatd: CJK typed
/// past the right margin, several lines pasted, a private message, history paging. Bob, a plain
/// client, checks what arrived; a small screen model checks what ann would see.
@Suite(.integration) struct TerminalEndToEndTests {
    static let columns = 40
    static let prompt = "ann(100)> "
    static let cjk = "你好世界，这是一个比终端还宽的中文句子😀👨‍👩‍👧结束"
    static let pasted = "first line\n第二行\nthird line"

    @Test func cjkAndAPasteOfSeveralLinesOnANarrowTerminal() async throws {
        try await Deployment.with { d in
            try await self.scenario(chatd: d.chatd)
        }
    }

    /// The check below catches the old bug: redraws sized by character count, 29
    /// CJK characters (58 columns) beside the prompt, wrap and leave a copy per key.
    @Test func theScreenModelSeesStackedPrompts() {
        let line = String(repeating: "中", count: 29)
        let redraw = "\r" + Self.prompt + line + "\u{1B}[K"
        #expect(self.prompts(redraw + redraw + redraw).count == 3)
        #expect(self.prompts(redraw).count == 1)
    }

    /// Rows of the screen that start with the prompt: exactly one unless prompts stack.
    func prompts(_ output: String) -> [String] {
        VirtualScreen(columns: Self.columns, output: output).lines.filter { $0.hasPrefix(Self.prompt) }
    }

    func scenario(chatd: ChatdProcess) async throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("chat-pty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }
        let cli = EndToEndTests.CLI(server: "127.0.0.1:\(chatd.port)", home: home)
        let annPW = try cli.passwordFile("ann.pw", "ann-secret")

        let bob = try await TestChatClient.connect(port: chatd.port)
        #expect(try await bob.register(100, name: "ann", password: "ann-secret").code == StatusCode.ok)
        #expect(try await bob.register(200, name: "bob", password: "bob-secret").code == StatusCode.ok)
        #expect(try await bob.login(200, password: "bob-secret").0.code == StatusCode.ok)

        var env = cli.environment(["XDG_STATE_HOME": home.appendingPathComponent("state").path, "TERM": "xterm"])
        env["CHAT_USER"] = "100"
        env["CHAT_PASSWORD_FILE"] = annPW
        let chat = try PTYProcess(productPath("chat"), [], environment: env, columns: Self.columns)
        // Logged in, bracketed paste on, and the list of who is online (bob) shown.
        #expect(
            await chat.waitFor {
                $0.contains("\u{1B}[?2004h") && $0.contains("bob(200)") && $0.hasSuffix(Self.prompt + "\u{1B}[K")
            }
        )

        // CJK and emoji wider than the terminal: the line scrolls, the prompt stays one row.
        chat.type(Self.cjk)
        #expect(await chat.waitFor { $0.hasSuffix("结束\u{1B}[K") })
        #expect(self.prompts(chat.text).count == 1, "\(VirtualScreen(columns: Self.columns, output: chat.text).lines)")
        let line = try #require(self.prompts(chat.text).first)
        #expect(TerminalText.width(line) < Self.columns)
        chat.type("\r")
        let first = try await bob.next { if case .sms(let m) = $0 { m } else { nil } }
        #expect(first.content == Self.cjk)
        #expect(first.userid == 100)

        // Three lines pasted (the terminal sends CR for a line break) and one Enter: one message.
        chat.type("\u{1B}[200~" + Self.pasted.replacingOccurrences(of: "\n", with: "\r") + "\u{1B}[201~")
        #expect(await chat.waitFor { $0.hasSuffix("third line\u{1B}[K") })
        chat.type("\r")
        let second = try await bob.next { if case .sms(let m) = $0 { m } else { nil } }
        #expect(second.content == Self.pasted)
        // Shown once acknowledged, its further lines indented.
        #expect(await chat.waitFor { $0.contains("ann(100): first line\r\n    第二行\r\n    third line") })

        // A private message rings the bell.
        let before = chat.text.count
        try await bob.send(.privateMessage(PrivateMes(to: 100, content: "psst")))
        #expect(
            await chat.waitFor { $0.contains("bob(200) → you: psst") && $0.hasSuffix(Self.prompt + "\u{1B}[K\u{07}") }
        )
        #expect(chat.text.dropFirst(before).contains("\u{07}"))

        // History a page at a time: the newest message, then PgUp for the one before.
        func count(_ needle: String) -> (String) -> Int { { $0.components(separatedBy: needle).count - 1 } }
        let cjkShown = count("ann(100): 你好世界")
        chat.type("/history 1\r")
        #expect(await chat.waitFor { $0.contains("(/history more)") && count("ann(100): first line")($0) == 2 })
        #expect(cjkShown(chat.text) == 1)
        chat.type("\u{1B}[5~")
        #expect(await chat.waitFor { cjkShown($0) == 2 })
        chat.type("\u{1B}[5~")
        #expect(await chat.waitFor { $0.contains("* no older messages") })

        chat.type("/quit\r")
        #expect(await chat.wait() == 0)
        _ = await chat.waitFor { _ in false }  // the rest of the output
        #expect(chat.text.hasSuffix("\u{1B}[?2004l"))
        #expect(self.prompts(chat.text).count <= 1)

        // The lines typed are in the history for next time, privately.
        let historyPath = home.appendingPathComponent("state/chat/history").path
        var file = HistoryFile(path: historyPath)
        #expect(try file.load() == [Self.cjk, Self.pasted, "/history 1", "/quit"])
        let mode = try FileManager.default.attributesOfItem(atPath: historyPath)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        await bob.close()
    }
}
