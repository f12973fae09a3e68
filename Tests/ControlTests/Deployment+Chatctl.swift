// SPDX-License-Identifier: Apache-2.0
import ChatTesting

extension Deployment {
    /// chatctl as root against this chatd.
    func chatctl(_ arguments: String..., stdin: String? = nil) async throws -> ChatctlRun {
        try await Chatctl.run(arguments, socket: self.socket, stdin: stdin)
    }
}

extension TestChatClient {
    /// The "127.0.0.1:port" chatd shows as this client's peer.
    var peer: String { "127.0.0.1:\(self.channel.localAddress?.port ?? 0)" }
}
