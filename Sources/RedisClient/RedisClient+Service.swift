// SPDX-License-Identifier: Apache-2.0
import ServiceLifecycle

// In a service group both come before the servers that use them, so they close last.

extension RedisClient: Service {
    /// Connections open on demand; this closes them once the group shuts down.
    public func run() async throws {
        try? await gracefulShutdown()
        await self.shutdown()
    }
}

extension RedisSubscriber: Service {
    /// Subscriptions open on demand; this ends them once the group shuts down.
    public func run() async throws {
        try? await gracefulShutdown()
        await self.shutdown()
    }
}

extension RedisClusterClient: Service {
    /// Shard connections open on demand; this closes them once the group shuts down.
    public func run() async throws {
        try? await gracefulShutdown()
        await self.shutdown()
    }
}
