// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import ControlProtocol

struct Broadcast: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send a notice to everyone online, as a group message from \"server\" (not stored in history)."
    )

    @ParentCommand var root: Chatctl

    @Argument(help: ArgumentHelp("The notice.", valueName: "text"))
    var text: String

    func run() async throws {
        let reply = try await self.root.client.call(Control.Broadcast.self, .init(text: self.text))
        self.root.show(reply) { "sent to \(Format.plural($0.recipients, "session"))" }
    }
}

struct Reload: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Re-read chatd's config file (as SIGHUP does); a broken file changes nothing and exits 1."
    )

    @ParentCommand var root: Chatctl

    func run() async throws {
        let reply = try await self.root.client.call(Control.ConfigReload.self)
        self.root.show(reply) { result in
            result.needsRestart.isEmpty
                ? "configuration reloaded"
                : "configuration reloaded; these need a restart: \(result.needsRestart.joined(separator: ", "))"
        }
    }
}
