// SPDX-License-Identifier: Apache-2.0
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

public enum RedisServerProcessError: Error, Sendable {
    case executableNotFound
}

/// A throwaway `redis-server` on a free loopback port, for tests.
///
/// Persistence is off and data lives in a private temp directory. Prefer
/// `RedisServerProcess.with { server in … }`, which stops the server even when the body throws.
public final class RedisServerProcess: Sendable {
    public let host = "127.0.0.1"
    public let port: Int
    public var url: String { "redis://\(self.host):\(self.port)" }
    /// The same server on a Unix-domain socket in its directory.
    public var unixSocketPath: String { self.directory.appendingPathComponent("redis.sock").path }
    public let directory: URL

    private let executable: URL
    private let running: NIOLockedValueBox<RunningServer?>

    /// PID of the current server process, or nil while it is stopped or killed.
    public var pid: Int32? { self.running.withLockedValue { $0?.pid } }

    /// With persistence every write is fsync'ed to an append-only file before Redis
    /// answers, so what was acknowledged survives `kill9()` + `restart()`.
    public let persistent: Bool

    private init(executable: URL, port: Int, directory: URL, persistent: Bool, running: RunningServer) {
        self.persistent = persistent
        self.executable = executable
        self.port = port
        self.directory = directory
        self.running = NIOLockedValueBox(running)
    }

    public static func start(persistent: Bool = false) async throws -> RedisServerProcess {
        let executable = try Self.findExecutable()
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("chatd-redis-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // The port is free when we look, but another process may grab it before
        // redis-server binds; that shows up as an early exit, so try a fresh port.
        var attempt = 0
        while true {
            let port = freeLoopbackPort()
            do {
                let running = try await RunningServer.launch(
                    executable: executable,
                    port: port,
                    directory: directory,
                    persistent: persistent
                )
                return RedisServerProcess(
                    executable: executable,
                    port: port,
                    directory: directory,
                    persistent: persistent,
                    running: running
                )
            } catch TestProcessError.exitedBeforeReady(let status, let output) where attempt < 4 {
                attempt += 1
                _ = (status, output)
            } catch {
                try? FileManager.default.removeItem(at: directory)
                throw error
            }
        }
    }

    /// Starts a server, runs `body`, and stops the server however `body` ends.
    public static func with<T>(
        isolation: isolated (any Actor)? = #isolation,
        persistent: Bool = false,
        _ body: (RedisServerProcess) async throws -> T
    ) async throws -> T {
        let server = try await RedisServerProcess.start(persistent: persistent)
        do {
            let result = try await body(server)
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }

    /// SIGTERM, SIGKILL if it has not exited within `grace`, then removes the temp dir.
    public func stop(grace: TimeAmount = .seconds(5)) async {
        if let server = self.takeRunning() {
            await server.terminate(grace: grace)
        }
        try? FileManager.default.removeItem(at: self.directory)
    }

    /// Kills the server abruptly (simulates a crash); the port and directory are kept for `restart()`.
    public func kill9() async {
        if let server = self.takeRunning() {
            await server.kill9()
        }
    }

    /// Starts the server again on the same port and directory (stopping it first if it runs).
    public func restart() async throws {
        if let server = self.takeRunning() {
            await server.terminate(grace: .seconds(5))
        }
        let server = try await RunningServer.launch(
            executable: self.executable,
            port: self.port,
            directory: self.directory,
            persistent: self.persistent
        )
        self.running.withLockedValue { $0 = server }
    }

    private func takeRunning() -> RunningServer? {
        self.running.withLockedValue { running in
            defer { running = nil }
            return running
        }
    }

    private static func findExecutable() throws -> URL {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let candidates =
            path.split(separator: ":").map { "\($0)/redis-server" } + [
                "/usr/bin/redis-server", "/usr/local/bin/redis-server",
            ]
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw RedisServerProcessError.executableNotFound
        }
        return URL(fileURLWithPath: found)
    }
}

/// One run of the redis-server process. Exit and readiness are promises, so waiting
/// for them is waiting for an event; timeouts are scheduled on an event loop.
private final class RunningServer: Sendable {
    let pid: Int32
    let exited: EventLoopFuture<Int32>
    let eventLoop: EventLoop

    private init(pid: Int32, exited: EventLoopFuture<Int32>, eventLoop: EventLoop) {
        self.pid = pid
        self.exited = exited
        self.eventLoop = eventLoop
    }

    static let readyLine = "Ready to accept connections"

    static func launch(
        executable: URL,
        port: Int,
        directory: URL,
        persistent: Bool,
        timeout: TimeAmount = .seconds(10)
    ) async throws -> RunningServer {
        let arguments = [
            "--port", String(port), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", persistent ? "yes" : "no", "--appendfsync", "always",
            "--dir", directory.path, "--daemonize", "no",
            "--unixsocket", directory.appendingPathComponent("redis.sock").path, "--unixsocketperm", "700",
        ]
        let (process, _) = try await TestProcess.launch(
            executable.path,
            arguments: arguments,
            environment: ProcessInfo.processInfo.environment,
            readyLine: Self.readyLine,
            timeout: timeout
        )
        return RunningServer(
            pid: process.pid,
            exited: process.exited,
            eventLoop: MultiThreadedEventLoopGroup.singleton.any()
        )
    }

    func terminate(grace: TimeAmount) async {
        kill(self.pid, SIGTERM)
        let escalation = self.eventLoop.scheduleTask(in: grace) { [pid] in
            kill(pid, SIGKILL)
        }
        _ = try? await self.exited.get()
        escalation.cancel()
    }

    func kill9() async {
        kill(self.pid, SIGKILL)
        _ = try? await self.exited.get()
    }
}
