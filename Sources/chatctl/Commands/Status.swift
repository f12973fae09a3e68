// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import ControlProtocol

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Is chatd up: sessions, users online, Redis, uptime, version.")

    @ParentCommand var root: Chatctl

    func run() async throws {
        let result = try await self.root.client.call("status")
        self.root.show(result) { status in
            keyValueLines([
                ("sessions", status.text("sessions")),
                ("users online", status.text("users_online")),
                ("connections", status.text("connections")),
                ("redis", status.text("redis")),
                ("uptime", Format.duration(seconds: status["uptime_seconds"]?.int ?? 0)),
                ("pid", status.text("pid")),
                ("version", status.text("version") + (status["commit"]?.string.map { " (git \($0))" } ?? "")),
            ])
        }
    }
}

struct Stats: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Counters: sessions, connections, messages in and out of the live sessions.")

    @ParentCommand var root: Chatctl

    func run() async throws {
        let result = try await self.root.client.call("stats")
        self.root.show(result) { stats in
            keyValueLines([
                ("sessions", stats.text("sessions")),
                ("users online", stats.text("users_online")),
                ("connections", stats.text("connections")),
                ("not logged in", stats.text("connections_not_logged_in")),
                ("messages in", stats.text("messages_in")),
                ("messages out", stats.text("messages_out")),
                ("redis", stats.text("redis")),
                ("uptime", Format.duration(seconds: stats["uptime_seconds"]?.int ?? 0)),
            ])
        }
    }
}
