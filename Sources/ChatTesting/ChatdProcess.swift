// SPDX-License-Identifier: Apache-2.0
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// The real `chatd` binary on a free loopback port with a private control socket,
/// started for one test. Ready means its "chatd ready" log line appeared.
public final class ChatdProcess: Sendable {
    public let port: Int
    /// The TLS chat port, when chatd was configured with `tls_listen` (`tls_listen=` in its ready line).
    public let tlsPort: Int?
    public let controlSocket: String
    public let directory: URL
    public let pid: Int32
    private let exited: EventLoopFuture<Int32>
    private let outputClosed: EventLoopFuture<Void>
    private let log: NIOLockedValueBox<String>

    /// Everything chatd wrote to stdout and stderr so far.
    public var output: String { self.log.withLockedValue { $0 } }

    /// Starts chatd against `redisURL`. Extra `arguments` and `environment` are added;
    /// `config` (file text) is written to a temp file and passed with `--config`.
    /// With `redisURL` nil there is no `--redis` flag (which beats the file): `config`
    /// must set `redis_url`, and a reload re-reads it. `port` 0 lets chatd pick a free one;
    /// another lets a test restart chatd where its clients will reconnect.
    public static func start(
        redisURL: String?,
        port: Int = 0,
        arguments: [String] = [],
        environment: [String: String] = [:],
        config: String = "",
        timeout: TimeAmount = .seconds(30)
    ) async throws -> ChatdProcess {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "chatd-\(UUID().uuidString)",
            isDirectory: true
        )
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let configPath = directory.appendingPathComponent("chatd.conf").path
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        let controlSocket = directory.appendingPathComponent("control.sock").path

        // Port 0: chatd binds a free port and names it in its ready line; no race with other tests.
        let chatdArguments =
            [
                "--config", configPath, "--listen", "127.0.0.1:\(port)",
                "--control-socket", controlSocket,
            ] + (redisURL.map { ["--redis", $0] } ?? []) + arguments
        let (process, log) = try await TestProcess.launch(
            productPath("chatd"),
            arguments: chatdArguments,
            environment: Self.environment(environment),
            readyLine: "chatd ready",
            timeout: timeout
        )
        let text = log.withLockedValue { $0 }
        guard let match = text.firstMatch(of: /chat_listen=\S*:(\d+)/), let port = Int(match.1) else {
            kill(process.pid, SIGKILL)
            throw TestProcessError.notReady(output: "no chat_listen port in: " + text)
        }
        let tlsPort = text.firstMatch(of: /tls_listen=\S*:(\d+)/).flatMap { Int($0.1) }
        return ChatdProcess(
            port: port,
            tlsPort: tlsPort,
            controlSocket: controlSocket,
            directory: directory,
            pid: process.pid,
            exited: process.exited,
            outputClosed: process.outputClosed,
            log: log
        )
    }

    /// The settings every test's chatd runs with, plus `extra`, on the caller's environment
    /// without chatd's, systemd's or socket activation's variables.
    public static func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var env = ProcessInfo.processInfo.environment.filter {
            !$0.key.hasPrefix("CHATD_") && !$0.key.hasPrefix("LISTEN_") && $0.key != "NOTIFY_SOCKET"
        }
        env["CHATD_SCRYPT_N"] = "1024"  // fast logins in tests; the cost itself is tested in ChatStoreTests
        env["CHATD_REGISTRATION"] = "open"  // tests register their users; closed registration has its own tests
        // Loaded CI machines: fixtures register many users on one connection before logging in.
        env["CHATD_LOGIN_TIMEOUT"] = "60"
        env["CHATD_LOG_TARGET"] = "stderr"
        env["CHATD_PRESENCE_GRACE"] = "0"  // "went offline" at once; the grace has its own tests
        for (key, value) in extra { env[key] = value }
        return env
    }

    /// chatd started the way systemd starts it: by the real `systemd-socket-activate`,
    /// listening on `listen` (fds 3, 4, …) named `names`, exec'ing chatd at the first
    /// connection with the test settings and `extra` (NOTIFY_SOCKET, WATCHDOG_USEC, …).
    /// Returns once every socket listens.
    public static func activated(
        listen: [String],
        names: [String],
        configPath: String,
        redisURL: String,
        environment extra: [String: String] = [:]
    ) async throws -> (process: SpawnedProcess, log: NIOLockedValueBox<String>) {
        let environment = Self.environment(extra)
        // systemd-socket-activate passes on only the variables named with -E.
        let passed = environment.keys.filter { $0.hasPrefix("CHATD_") || extra[$0] != nil }.sorted()
        let arguments =
            listen.flatMap { ["-l", $0] } + ["--fdname=" + names.joined(separator: ":")]
            + passed.flatMap { ["-E", $0] }
            + [productPath("chatd"), "--config", configPath, "--redis", redisURL]
        return try await TestProcess.launch(
            "/usr/bin/systemd-socket-activate",
            arguments: arguments,
            environment: environment,
            readyLine: "as \(2 + listen.count).",  // "Listening on … as 4." for the last of two
            timeout: .seconds(10)
        )
    }

    private init(
        port: Int,
        tlsPort: Int?,
        controlSocket: String,
        directory: URL,
        pid: Int32,
        exited: EventLoopFuture<Int32>,
        outputClosed: EventLoopFuture<Void>,
        log: NIOLockedValueBox<String>
    ) {
        self.port = port
        self.tlsPort = tlsPort
        self.controlSocket = controlSocket
        self.directory = directory
        self.pid = pid
        self.exited = exited
        self.outputClosed = outputClosed
        self.log = log
    }

    /// Sends `signal` and waits for the exit status; `output` is then complete.
    @discardableResult
    public func stop(signal: Int32 = SIGTERM) async throws -> Int32 {
        kill(self.pid, signal)
        let status = try await self.exited.get()
        try await self.outputClosed.get()
        try? FileManager.default.removeItem(at: self.directory)
        return status
    }

    public func waitForExit() async throws -> Int32 { try await self.exited.get() }
}
