import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

public enum ChatdProcessError: Error, Sendable {
    case exitedBeforeReady(status: Int32, output: String)
    case notReady(output: String)
}

/// The real `chatd` binary on a free loopback port with a private control socket,
/// started for one test. Ready means its "chatd ready" log line appeared.
public final class ChatdProcess: Sendable {
    public let port: Int
    public let controlSocket: String
    public let directory: URL
    public let pid: Int32
    private let exited: EventLoopFuture<Int32>
    private let log: NIOLockedValueBox<String>

    /// Everything chatd wrote to stdout and stderr so far.
    public var output: String { self.log.withLockedValue { $0 } }

    /// Starts chatd against `redisURL`. Extra `arguments` and `environment` are added;
    /// `config` (file text) is written to a temp file and passed with `--config`.
    public static func start(redisURL: String, arguments: [String] = [], environment: [String: String] = [:],
                             config: String = "", timeout: TimeAmount = .seconds(30)) async throws -> ChatdProcess {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("chatd-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let configPath = directory.appendingPathComponent("chatd.conf").path
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        let port = freeLoopbackPort()
        let controlSocket = directory.appendingPathComponent("control.sock").path

        let process = Process()
        process.executableURL = URL(fileURLWithPath: productPath("chatd"))
        process.arguments = ["--config", configPath, "--listen", "127.0.0.1:\(port)",
                             "--control-socket", controlSocket, "--redis", redisURL] + arguments
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CHATD_") && !$0.key.hasPrefix("LISTEN_") && $0.key != "NOTIFY_SOCKET" }
        env["CHATD_SCRYPT_N"] = "1024"  // fast logins in tests; the cost itself is tested in ChatStoreTests
        env["CHATD_LOG_TARGET"] = "stderr"
        for (key, value) in environment { env[key] = value }
        process.environment = env

        let (exited, log) = try await TestProcess.launch(process, readyLine: "chatd ready", timeout: timeout)
        return ChatdProcess(port: port, controlSocket: controlSocket, directory: directory,
                            pid: process.processIdentifier, exited: exited, log: log)
    }

    private init(port: Int, controlSocket: String, directory: URL, pid: Int32, exited: EventLoopFuture<Int32>, log: NIOLockedValueBox<String>) {
        self.port = port
        self.controlSocket = controlSocket
        self.directory = directory
        self.pid = pid
        self.exited = exited
        self.log = log
    }

    /// Sends `signal` and waits for the exit status.
    @discardableResult
    public func stop(signal: Int32 = SIGTERM) async throws -> Int32 {
        kill(self.pid, signal)
        let status = try await self.exited.get()
        try? FileManager.default.removeItem(at: self.directory)
        return status
    }

    public func waitForExit() async throws -> Int32 { try await self.exited.get() }
}

/// Launches a child process, collects its output and completes when a line
/// containing `readyLine` appears (or fails if the process exits first).
public enum TestProcess {
    public static func launch(_ process: Process, readyLine: String, timeout: TimeAmount) async throws
        -> (exited: EventLoopFuture<Int32>, log: NIOLockedValueBox<String>)
    {
        let loop = MultiThreadedEventLoopGroup.singleton.any()
        let ready = loop.makePromise(of: Void.self)
        let exited = loop.makePromise(of: Int32.self)
        let log = NIOLockedValueBox("")
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            guard !data.isEmpty else {
                handle.readabilityHandler = nil
                return
            }
            let isReady = log.withLockedValue { text in
                let before = text.contains(readyLine)
                text += String(decoding: data, as: UTF8.self)
                return !before && text.contains(readyLine)
            }
            if isReady { ready.succeed(()) }
        }
        process.terminationHandler = { process in
            exited.succeed(process.terminationStatus)
            ready.fail(ChatdProcessError.exitedBeforeReady(status: process.terminationStatus, output: log.withLockedValue { $0 }))
        }
        try process.run()
        let deadline = loop.scheduleTask(in: timeout) {
            ready.fail(ChatdProcessError.notReady(output: log.withLockedValue { $0 }))
        }
        ready.futureResult.whenComplete { _ in deadline.cancel() }
        do {
            try await ready.futureResult.get()
        } catch {
            kill(process.processIdentifier, SIGKILL)
            throw error
        }
        return (exited.futureResult, log)
    }
}
