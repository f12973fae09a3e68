// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import ChatClient
import ChatProtocol

struct Send: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send one message to everyone.",
        discussion: "Exits 0 once the server has stored it (SmsResMes 200), 1 if it refused."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The message.")
    var text: String

    func run() async throws {
        let text = self.text
        guard !text.isEmpty else { throw ChatFailure(.usage, "empty message") }
        let ack = try await self.global.withLogin { session, _ in
            try await session.send(.sms(SmsMes(content: text)))
            return try await session.wait(for: "message") { m -> SmsResMes? in
                if case .smsResult(let r) = m { return r }
                return nil
            }
        }
        guard ack.code == StatusCode.ok else {
            throw ChatFailure.refused(code: ack.code, error: ack.error, what: "message")
        }
    }
}
