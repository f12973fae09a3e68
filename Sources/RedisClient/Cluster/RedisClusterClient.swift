// SPDX-License-Identifier: Apache-2.0
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A client for Redis Cluster: routes each command to the master serving its key's hash slot.
///
/// The slot map comes from `CLUSTER SLOTS` on the first node that answers (known masters
/// first, then the seeds). Each master gets its own `RedisClient` pool, opened on first use
/// and shut down when the master leaves the map. `-MOVED` refreshes the map (one refresh at
/// a time; concurrent callers share it) and retries once on the named node; `-ASK` retries
/// once on the named node after `ASKING`, without touching the map; `-CLUSTERDOWN` and
/// `-TRYAGAIN` become `RedisError.clusterUnavailable`. Call `shutdown()` when done.
public final class RedisClusterClient: Sendable {
    /// Where to ask for the slot map first. Only host and port differ between nodes: every
    /// shard is reached with the first seed's other settings (password, TLS, timeouts, pool size).
    public let seeds: [RedisConfiguration]
    private let eventLoopGroup: EventLoopGroup
    private let logger: Logger
    private let state = NIOLockedValueBox(State())

    private struct State {
        var slotMap: SlotMap?
        var nodes: [RedisNodeAddress: RedisClient] = [:]
        var refresh: Task<Result<SlotMap, RedisError>, Never>?
        var isShutDown = false
        /// Slot maps installed so far; tests count refreshes with it.
        var installed = 0
    }

    public init(
        seeds: [RedisConfiguration],
        eventLoopGroup: EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "RedisClusterClient")
    ) {
        self.seeds = seeds
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
    }

    /// The slot map in use, nil before the first command or refresh.
    public var slotMap: SlotMap? { self.state.withLockedValue { $0.slotMap } }

    var slotMapsInstalled: Int { self.state.withLockedValue { $0.installed } }

    // MARK: Commands

    /// Sends one command to the master of `key`'s slot. A `-ERR` reply throws `RedisError.server`.
    public func send(_ arguments: [String], key: String) async throws(RedisError) -> RESPValue {
        try await self.pipeline([arguments], key: key)[0].get()
    }

    /// Sends `commands` with one flush on one connection to the master of `key`'s slot; every
    /// command must touch only keys of that slot (use a hash tag). Results come back in order,
    /// each failing or succeeding on its own. Commands redirected by `-MOVED` or `-ASK` are
    /// sent once more to the named node, so they may run after later ones of the pipeline.
    public func pipeline(
        _ commands: [[String]],
        key: String
    ) async throws(RedisError) -> [Result<RESPValue, RedisError>] {
        guard !commands.isEmpty else { return [] }
        let slot = HashSlot.slot(forKey: key)
        var node = try await self.master(forSlot: slot)
        var results: [Result<RESPValue, RedisError>]
        do {
            results = try await self.client(for: node).pipeline(commands)
        } catch .shutDown where !self.isShutDown {
            // A refresh retired that node between lookup and send; nothing was sent, so route again.
            node = try await self.master(forSlot: slot)
            results = try await self.client(for: node).pipeline(commands)
        }

        var groups: [(redirect: Redirect, indices: [Int])] = []
        for (index, result) in results.enumerated() {
            guard case .failure(.server(let message)) = result,
                let redirect = Redirect(message, defaultHost: node.host)
            else { continue }
            if let group = groups.firstIndex(where: { $0.redirect == redirect }) {
                groups[group].indices.append(index)
            } else {
                groups.append((redirect, [index]))
            }
        }
        for (redirect, indices) in groups {
            let retried: [Result<RESPValue, RedisError>]
            do throws(RedisError) {
                switch redirect {
                case .moved(let slot, let target):
                    self.logger.debug("MOVED", metadata: ["slot": "\(slot)", "node": "\(target)"])
                    await self.refresh(unlessSlot: slot, isServedBy: target)
                    retried = try await self.client(for: target).pipeline(indices.map { commands[$0] })
                case .ask(_, let target):
                    // ASKING admits only the next command on the same connection; a pipeline is one connection.
                    let asked = try await self.client(for: target).pipeline(
                        indices.flatMap { [["ASKING"], commands[$0]] }
                    )
                    retried = stride(from: 1, to: asked.count, by: 2).map { asked[$0] }
                }
            } catch {
                retried = indices.map { _ in .failure(error) }
            }
            for (index, result) in zip(indices, retried) { results[index] = result }
        }
        return results.map(Self.classified)
    }

    /// Fetches the slot map now; concurrent calls share one fetch. Masters no longer in the
    /// map have their connections closed.
    @discardableResult
    public func refreshSlotMap() async throws(RedisError) -> SlotMap {
        let task: Task<Result<SlotMap, RedisError>, Never>? = self.state.withLockedValue { state in
            guard !state.isShutDown else { return nil }
            if let running = state.refresh { return running }
            let task = Task { await self.fetchAndInstallSlotMap() }
            state.refresh = task
            return task
        }
        guard let task else { throw .shutDown }
        return try await task.value.get()
    }

    /// Closes every node's connections; later calls throw `.shutDown`.
    public func shutdown() async {
        let (clients, refresh) = self.state.withLockedValue { state in
            state.isShutDown = true
            defer {
                state.nodes = [:]
                state.slotMap = nil
            }
            return (Array(state.nodes.values), state.refresh)
        }
        for client in clients { await client.shutdown() }
        _ = await refresh?.value
    }

    // MARK: Internals

    private var isShutDown: Bool { self.state.withLockedValue { $0.isShutDown } }

    private func master(forSlot slot: Int) async throws(RedisError) -> RedisNodeAddress {
        let current = try self.state.withLockedValue { state -> Result<SlotMap?, RedisError> in
            state.isShutDown ? .failure(.shutDown) : .success(state.slotMap)
        }.get()
        let map: SlotMap
        if let current { map = current } else { map = try await self.refreshSlotMap() }
        guard let master = map.master(forSlot: slot) else {
            throw .clusterUnavailable("no master serves slot \(slot)")
        }
        return master
    }

    /// After `-MOVED`: a caller that was routed by an older map than the one in use now
    /// need not refresh again.
    private func refresh(unlessSlot slot: Int, isServedBy target: RedisNodeAddress) async {
        guard self.slotMap?.master(forSlot: slot) != target else { return }
        do {
            try await self.refreshSlotMap()
        } catch {
            // The retry goes to the named node anyway; the next MOVED tries the refresh again.
            self.logger.debug("slot map refresh failed", metadata: ["error": "\(error)"])
        }
    }

    private func client(for node: RedisNodeAddress) throws(RedisError) -> RedisClient {
        try self.state.withLockedValue { state -> Result<RedisClient, RedisError> in
            guard !state.isShutDown else { return .failure(.shutDown) }
            if let client = state.nodes[node] { return .success(client) }
            var configuration = self.seeds.first ?? RedisConfiguration()
            configuration.host = node.host
            configuration.port = node.port
            configuration.unixSocketPath = nil
            // A cluster has database 0 only; SELECT of any other fails every connect.
            configuration.database = nil
            let client = RedisClient(
                configuration: configuration,
                eventLoopGroup: self.eventLoopGroup,
                logger: self.logger
            )
            state.nodes[node] = client
            return .success(client)
        }.get()
    }

    private func fetchAndInstallSlotMap() async -> Result<SlotMap, RedisError> {
        let result = await self.fetchSlotMap()
        let retired: [RedisClient] = self.state.withLockedValue { state in
            state.refresh = nil
            guard case .success(let map) = result, !state.isShutDown else { return [] }
            state.slotMap = map
            state.installed += 1
            let masters = map.masters
            let gone = state.nodes.filter { !masters.contains($0.key) }
            for node in gone.keys { state.nodes[node] = nil }
            return Array(gone.values)
        }
        for client in retired { await client.shutdown() }
        return result
    }

    /// Asks the known masters, then the seeds, until one answers with a valid map.
    private func fetchSlotMap() async -> Result<SlotMap, RedisError> {
        var candidates = (self.slotMap?.ranges.map(\.master) ?? [])
        candidates += self.seeds.map { RedisNodeAddress(host: $0.host, port: $0.port) }
        var seen = Set<RedisNodeAddress>()
        var lastError = RedisError.connectionFailed("no seed nodes to ask for the slot map")
        for node in candidates where seen.insert(node).inserted {
            do throws(RedisError) {
                let reply = try await self.client(for: node).send(["CLUSTER", "SLOTS"])
                return .success(try SlotMap(clusterSlots: reply, defaultHost: node.host))
            } catch .shutDown {
                return .failure(.shutDown)
            } catch {
                self.logger.debug("CLUSTER SLOTS failed", metadata: ["node": "\(node)", "error": "\(error)"])
                lastError = error
            }
        }
        return .failure(lastError)
    }

    private static func classified(_ result: Result<RESPValue, RedisError>) -> Result<RESPValue, RedisError> {
        guard case .failure(.server(let message)) = result else { return result }
        let code = message.prefix { $0 != " " }
        return code == "CLUSTERDOWN" || code == "TRYAGAIN" ? .failure(.clusterUnavailable(message)) : result
    }
}

/// `-MOVED <slot> <host:port>` or `-ASK <slot> <host:port>`.
enum Redirect: Equatable {
    case moved(slot: Int, RedisNodeAddress)
    case ask(slot: Int, RedisNodeAddress)

    init?(_ message: String, defaultHost: String) {
        let parts = message.split(separator: " ")
        guard parts.count == 3, let slot = Int(parts[1]), (0..<HashSlot.count).contains(slot),
            let node = RedisNodeAddress(parsing: parts[2], defaultHost: defaultHost)
        else { return nil }
        switch parts[0] {
        case "MOVED": self = .moved(slot: slot, node)
        case "ASK": self = .ask(slot: slot, node)
        default: return nil
        }
    }
}
