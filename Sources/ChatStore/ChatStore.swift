// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import Foundation
import Logging
import NIOConcurrencyHelpers
import RedisClient

/// Users, history, offline inbox: everything chatd keeps in Redis.
/// Every method either completes in Redis or throws a `StoreError`; nothing is
/// half-written (multi-key changes are Lua scripts).
public final class ChatStore: Sendable {
    let redis: RedisClient
    /// The bus's pub/sub connection (several nodes); nil for a store used without one.
    let subscriber: RedisSubscriber?
    let keys: Keys
    public let configuration: StoreConfiguration
    public let hasher: PasswordHasher
    let cachedTokenKey = NIOLockedValueBox<Data?>(nil)
    /// Work of sessions that end together, one script per batch of users.
    let roomSeen: Coalescer<Int, Result<Void, StoreError>>
    let presenceGone: Coalescer<PresenceDown, Result<Bool, StoreError>>

    /// `hasher` nil: one with `configuration.scrypt` on the process's hashing pool.
    public init(
        redis: RedisClient,
        subscriber: RedisSubscriber? = nil,
        configuration: StoreConfiguration = .init(),
        hasher: PasswordHasher? = nil
    ) {
        self.redis = redis
        self.subscriber = subscriber
        self.configuration = configuration
        self.keys = Keys(prefix: configuration.keyPrefix, seedUsers: configuration.seedUserHash)
        self.hasher = hasher ?? PasswordHasher(parameters: configuration.scrypt)
        let keys = self.keys
        self.roomSeen = Coalescer(maxBatch: Self.departureBatch) { users in
            await Self.markRoomSeen(by: users, redis: redis, keys: keys)
        }
        self.presenceGone = Coalescer(maxBatch: Self.departureBatch) { departures in
            await Self.presenceDown(departures, redis: redis, keys: keys)
        }
    }

    /// Users per script when sessions end together: about a millisecond of Redis each.
    static let departureBatch = 500

    /// True while at least one Redis connection is up.
    public var isHealthy: Bool { self.redis.isHealthy }

    /// Answers once Redis does.
    public func ping() async throws(StoreError) {
        _ = try await self.command(["PING"])
    }

    // MARK: Redis access with errors mapped

    func command(_ args: [String]) async throws(StoreError) -> RESPValue {
        try await Self.command(args, redis: self.redis)
    }

    func eval(_ script: String, keys: [String], args: [String]) async throws(StoreError) -> RESPValue {
        try await Self.eval(script, keys: keys, args: args, redis: self.redis)
    }

    static func command(_ args: [String], redis: RedisClient) async throws(StoreError) -> RESPValue {
        do {
            return try await redis.send(args)
        } catch {
            throw StoreError.from(error)
        }
    }

    static func eval(
        _ script: String,
        keys: [String],
        args: [String],
        redis: RedisClient
    ) async throws(StoreError) -> RESPValue {
        try await Self.command(["EVAL", script, String(keys.count)] + keys + args, redis: redis)
    }

    /// One reply of a pipeline, its failure as a store error.
    static func value(_ reply: Result<RESPValue, RedisError>) throws(StoreError) -> RESPValue {
        switch reply {
        case .success(let value): return value
        case .failure(let error): throw StoreError.from(error)
        }
    }
}

/// A stream id `<ms>-<seq>`; its first part is the time Redis stored the entry.
enum StreamID {
    static func millis(_ id: String) -> Int64 {
        Int64(id.prefix { $0 != "-" }) ?? 0
    }

    static func isValid(_ id: String) -> Bool {
        let parts = id.split(separator: "-", omittingEmptySubsequences: false)
        return parts.count == 2 && UInt64(parts[0]) != nil && UInt64(parts[1]) != nil
    }
}

extension RESPValue {
    /// `[field, value, field, value …]` as a dictionary.
    var fieldMap: [String: String] {
        guard let items = self.array else { return [:] }
        var map: [String: String] = [:]
        var index = items.startIndex
        while index + 1 < items.endIndex {
            if let key = items[index].string, let value = items[index + 1].string { map[key] = value }
            index += 2
        }
        return map
    }

    /// XRANGE/XREVRANGE reply as (id, fields) pairs.
    var streamEntries: [(id: String, fields: [String: String])] {
        (self.array ?? []).compactMap { entry in
            guard let pair = entry.array, pair.count == 2, let id = pair[0].string else { return nil }
            return (id, pair[1].fieldMap)
        }
    }
}
