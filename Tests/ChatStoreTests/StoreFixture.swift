// SPDX-License-Identifier: Apache-2.0
import ChatStore
import ChatTesting
import Foundation
import Logging
import NIOPosix
import RedisClient

/// A store on a private redis-server, torn down however the test ends.
@discardableResult
func withStore<T>(
    offlineMax: Int = 100,
    tokenKey: String? = nil,
    hasher: PasswordHasher? = nil,
    _ body: (ChatStore, RedisClient, RedisServerProcess) async throws -> T
) async throws -> T {
    try await RedisServerProcess.with { server in
        var redisConfig = try RedisConfiguration(url: server.url)
        redisConfig.commandTimeout = .seconds(5)
        redisConfig.connectTimeout = .seconds(5)
        let redis = RedisClient(configuration: redisConfig, eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
        var config = StoreConfiguration()
        config.scrypt = ScryptParameters(n: 1024, r: 8, p: 1)
        config.offlineMax = offlineMax
        config.tokenKey = tokenKey.map { Data($0.utf8) }
        let store = ChatStore(redis: redis, configuration: config, hasher: hasher)
        do {
            let result = try await body(store, redis, server)
            await redis.shutdown()
            return result
        } catch {
            await redis.shutdown()
            throw error
        }
    }
}
