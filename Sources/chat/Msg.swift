// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import ChatClient
import ChatProtocol

struct Msg: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send one private message.",
        discussion: """
            Exits 0 once the server has stored it (PrivateResMes 200; an offline recipient gets it \
            at their next login), 1 if it refused (404: no such user).
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The recipient's user id.")
    var id: Int

    @Argument(help: "The message.")
    var text: String

    func run() async throws {
        let (to, text) = (self.id, self.text)
        guard !text.isEmpty else { throw ChatFailure(.usage, "empty message") }
        let ack = try await self.global.withLogin { session, _ in
            try await session.send(.privateMessage(PrivateMes(to: to, content: text)))
            return try await session.wait(for: "private message") { m -> PrivateResMes? in
                if case .privateResult(let r) = m { return r }
                return nil
            }
        }
        switch ack.code {
        case StatusCode.ok: break
        case StatusCode.notFound: throw ChatFailure(.refused, "private message refused: no such user \(to)")
        default: throw ChatFailure.refused(code: ack.code, error: ack.error, what: "private message")
        }
    }
}
