// SPDX-License-Identifier: Apache-2.0
import ChatTesting
import Logging
import NIOCore
import RedisClient
import Testing

/// Settings that keep integration tests quick: short timeouts and backoff.
func testConfiguration(
    _ server: RedisServerProcess,
    poolSize: Int = 2,
    commandTimeout: TimeAmount = .seconds(5)
) throws -> RedisConfiguration {
    var configuration = try RedisConfiguration(url: server.url)
    configuration.poolSize = poolSize
    configuration.commandTimeout = commandTimeout
    configuration.connectTimeout = .seconds(5)  // generous: the whole suite shares two cores
    configuration.reconnectBackoffMin = .milliseconds(10)
    configuration.reconnectBackoffMax = .milliseconds(200)
    return configuration
}

/// Runs `body` with a client and shuts the client down however `body` ends.
func withClient<T>(
    _ configuration: RedisConfiguration,
    isolation: isolated (any Actor)? = #isolation,
    _ body: (RedisClient) async throws -> T
) async throws -> T {
    let client = RedisClient(configuration: configuration, logger: Logger(label: "test.redis"))
    do {
        let result = try await body(client)
        await client.shutdown()
        return result
    } catch {
        await client.shutdown()
        throw error
    }
}

/// Waits for the client to report `state`; an event, not a guess at how long it takes.
func awaitState(_ client: RedisClient, _ state: RedisClient.State) async {
    for await current in client.stateChanges() where current == state {
        return
    }
}

/// Retries PING until it succeeds; bounded so a broken client fails the test instead of hanging.
func awaitPing(_ client: RedisClient, attempts: Int = 200) async throws {
    var lastError: RedisError?
    for _ in 0..<attempts {
        do {
            try await client.ping()
            return
        } catch {
            lastError = error
            // Failing fast is the point of the client; pause briefly so the loop does not spin.
            try await Task.sleep(for: .milliseconds(25))
        }
    }
    throw lastError ?? .connectionClosed
}
