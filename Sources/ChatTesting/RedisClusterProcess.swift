// SPDX-License-Identifier: Apache-2.0
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

public enum RedisClusterProcessError: Error, Sendable {
    case executableNotFound(String)
    /// `redis-cli --cluster create` failed; its output says why.
    case createFailed(status: Int32, output: String)
    /// Some node did not report `cluster_state:ok` before the deadline.
    case notReady(port: Int, lastInfo: String)
    case commandFailed(arguments: [String], status: Int32, output: String)
}

/// A throwaway Redis Cluster of masters only, each a `redis-server` on free loopback ports, for tests.
///
/// Persistence is off; each node keeps its `nodes.conf` in its own directory under a private
/// temp directory. Prefer `RedisClusterProcess.with { cluster in … }`, which kills every node
/// by PID however the body ends.
public final class RedisClusterProcess: Sendable {
    public let host = "127.0.0.1"
    /// Client ports of the masters, in start order.
    public let ports: [Int]
    public var urls: [String] { self.ports.map { "redis://\(self.host):\($0)" } }
    public let directory: URL

    private let redisCLI: String
    /// Running nodes by client port; a killed node is removed.
    private let processes: NIOLockedValueBox<[Int: SpawnedProcess]>

    private init(ports: [Int], directory: URL, redisCLI: String, processes: [Int: SpawnedProcess]) {
        self.ports = ports
        self.directory = directory
        self.redisCLI = redisCLI
        self.processes = NIOLockedValueBox(processes)
    }

    /// PIDs of the nodes still running, by client port.
    public var pids: [Int: Int32] { self.processes.withLockedValue { $0.mapValues(\.pid) } }

    public static func start(
        masters: Int = 3,
        readyTimeout: Duration = .seconds(20)
    ) async throws -> RedisClusterProcess {
        let server = try Self.findExecutable("redis-server")
        let cli = try Self.findExecutable("redis-cli")
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("chatd-redis-cluster-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var started: [Int: SpawnedProcess] = [:]
        var ports: [Int] = []
        do {
            for index in 0..<masters {
                let (port, process) = try await Self.launchNode(
                    server,
                    directory: directory.appendingPathComponent("node\(index)")
                )
                started[port] = process
                ports.append(port)
            }
            let cluster = RedisClusterProcess(ports: ports, directory: directory, redisCLI: cli, processes: started)
            try await cluster.create(readyTimeout: readyTimeout)
            return cluster
        } catch {
            for process in started.values { await Self.kill9(process) }
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
    }

    /// Starts a cluster, runs `body`, and kills every node however `body` ends.
    public static func with<T>(
        isolation: isolated (any Actor)? = #isolation,
        masters: Int = 3,
        _ body: (RedisClusterProcess) async throws -> T
    ) async throws -> T {
        let cluster = try await RedisClusterProcess.start(masters: masters)
        do {
            let result = try await body(cluster)
            await cluster.stop()
            return result
        } catch {
            await cluster.stop()
            throw error
        }
    }

    /// Kills every node (there is nothing to save) and removes the temp directory.
    public func stop() async {
        let all = self.processes.withLockedValue { processes in
            defer { processes = [:] }
            return Array(processes.values)
        }
        for process in all { await Self.kill9(process) }
        try? FileManager.default.removeItem(at: self.directory)
    }

    /// Kills the master on `port` abruptly, as a crash would (for failover tests).
    public func kill9(port: Int) async {
        let process = self.processes.withLockedValue { $0.removeValue(forKey: port) }
        if let process { await Self.kill9(process) }
    }

    /// Runs `redis-cli -p port arguments…` and returns its output (RESP errors are printed,
    /// not thrown: check the text). Throws only if redis-cli itself fails.
    @discardableResult
    public func cli(port: Int, _ arguments: [String]) async throws -> String {
        let full = ["-h", self.host, "-p", String(port)] + arguments
        let (status, output) = try await runToCompletion(self.redisCLI, full)
        guard status == 0 else {
            throw RedisClusterProcessError.commandFailed(arguments: full, status: status, output: output)
        }
        return output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The node ID (`CLUSTER MYID`) of the master on `port`.
    public func nodeID(port: Int) async throws -> String {
        try await self.cli(port: port, ["CLUSTER", "MYID"])
    }

    // MARK: Internals

    /// Joins the nodes (all masters, slots split evenly) and waits until every node sees
    /// every slot served.
    private func create(readyTimeout: Duration) async throws {
        let (status, output) = try await runToCompletion(
            self.redisCLI,
            ["--cluster", "create"] + self.ports.map { "\(self.host):\($0)" } + [
                "--cluster-replicas", "0", "--cluster-yes",
            ]
        )
        guard status == 0, output.contains("[OK] All 16384 slots covered") else {
            throw RedisClusterProcessError.createFailed(status: status, output: output)
        }
        let deadline = ContinuousClock.now + readyTimeout
        for port in self.ports {
            var info = ""
            while true {
                info = (try? await self.cli(port: port, ["CLUSTER", "INFO"])) ?? ""
                if info.contains("cluster_state:ok") { break }
                guard ContinuousClock.now < deadline else {
                    throw RedisClusterProcessError.notReady(port: port, lastInfo: info)
                }
                // Polling a state with a deadline: the nodes converge by gossip, which says nothing when done.
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    /// Starts one cluster-enabled node on a fresh client port and cluster-bus port. The bus
    /// port is chosen too, as the default (client port + 10000) may be above 65535 or taken.
    private static func launchNode(_ executable: String, directory: URL) async throws -> (Int, SpawnedProcess) {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var attempt = 0
        while true {
            let port = freeLoopbackPort()
            let busPort = freeLoopbackPort()
            guard busPort != port else { continue }
            let arguments = [
                "--port", String(port), "--cluster-port", String(busPort), "--bind", "127.0.0.1",
                "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                "--save", "", "--appendonly", "no", "--dir", directory.path, "--daemonize", "no",
            ]
            do {
                let (process, _) = try await TestProcess.launch(
                    executable,
                    arguments: arguments,
                    environment: ProcessInfo.processInfo.environment,
                    readyLine: "Ready to accept connections",
                    timeout: .seconds(10)
                )
                return (port, process)
            } catch TestProcessError.exitedBeforeReady where attempt < 4 {
                // Another process took a port between our look and redis-server's bind.
                attempt += 1
                try? FileManager.default.removeItem(at: directory.appendingPathComponent("nodes.conf"))
            }
        }
    }

    private static func kill9(_ process: SpawnedProcess) async {
        kill(process.pid, SIGKILL)
        _ = try? await process.exited.get()
    }

    private static func findExecutable(_ name: String) throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let candidates =
            path.split(separator: ":").map { "\($0)/\(name)" } + ["/usr/bin/\(name)", "/usr/local/bin/\(name)"]
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw RedisClusterProcessError.executableNotFound(name)
        }
        return found
    }
}
