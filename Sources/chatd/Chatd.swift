// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import BuildInfo
import ChatdConfiguration
import Foundation
import Logging

@main
struct Chatd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chatd",
        abstract:
            "The chat server: a TCP chat port for `chat` and seed clients, a Unix control socket for `chatctl`, users and history in Redis.",
        discussion: """
            Settings come from, highest first: these flags, the environment (CHATD_ plus the upper-case key, e.g. \
            CHATD_REDIS_URL), the config file (default /etc/chatd/chatd.conf, if present), built-in defaults. \
            The file documents every key.

            Signals: SIGTERM and SIGINT drain the sessions and exit 0; SIGHUP re-reads the config file.
            Exit status: 0 after an orderly shutdown, 1 on a configuration or startup error.
            """,
        version: "chatd \(Version.text)"
    )

    @Option(name: .long, help: ArgumentHelp("Config file to read.", valueName: "path"))
    var config: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Chat address to bind when systemd passes no socket (config key: listen).",
            valueName: "host:port"
        )
    )
    var listen: String?

    @Option(
        name: .customLong("control-socket"),
        help: ArgumentHelp(
            "Unix control socket to bind when systemd passes none (config key: control_socket).",
            valueName: "path"
        )
    )
    var controlSocket: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Redis to use, redis://[:password@]host[:port][/db] (config key: redis_url).",
            valueName: "url"
        )
    )
    var redis: String?

    @Flag(
        name: .customLong("check-config"),
        help: "Validate the configuration, print the verdict, exit 0 if valid, 1 if not."
    )
    var checkConfig = false

    var overrides: [ConfigKey: ChatdConfig.Override] {
        var overrides: [ConfigKey: ChatdConfig.Override] = [:]
        overrides[.listen] = listen.map { .init(flag: "--listen", value: $0) }
        overrides[.controlSocket] = controlSocket.map { .init(flag: "--control-socket", value: $0) }
        overrides[.redisURL] = redis.map { .init(flag: "--redis", value: $0) }
        return overrides
    }

    func run() async throws {
        let loader = ConfigLoader(path: config, environment: ProcessInfo.processInfo.environment, overrides: overrides)
        let resolved: ChatdConfig
        let credentials: Credentials
        do {
            resolved = try loader.load()
            credentials = try Credentials.load(resolved, environment: loader.environment)
        } catch {
            FileHandle.standardError.write(Data("chatd: invalid configuration: \(error)\n".utf8))
            throw ExitCode(1)
        }
        if checkConfig {
            print("chatd: configuration is valid")
            return
        }
        MemoryReturn.apply()
        do {
            try await Daemon(config: resolved, credentials: credentials, loader: loader).run()
        } catch let error as ExitCode {
            throw error
        } catch {
            FileHandle.standardError.write(Data("chatd: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}

/// Re-reads the configuration the same way it was first read (for SIGHUP).
struct ConfigLoader: Sendable {
    var path: String?
    var environment: [String: String]
    var overrides: [ConfigKey: ChatdConfig.Override]

    func load() throws(ConfigError) -> ChatdConfig {
        try ChatdConfig.load(path: path, environment: environment, overrides: overrides)
    }
}
