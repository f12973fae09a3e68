// SPDX-License-Identifier: Apache-2.0
import RedisClient
import Testing

@Suite struct RedisConfigurationTests {
    @Test func parsesURLs() throws {
        let plain = try RedisConfiguration(url: "redis://localhost")
        #expect(plain.host == "localhost" && plain.port == 6379 && plain.password == nil && plain.database == nil)

        let full = try RedisConfiguration(url: "redis://alice:p%40ss@cache.local:6380/3")
        #expect(full.host == "cache.local" && full.port == 6380)
        #expect(full.username == "alice" && full.password == "p@ss" && full.database == 3)

        let passwordOnly = try RedisConfiguration(url: "redis://:secret@127.0.0.1:7000/")
        #expect(passwordOnly.username == nil && passwordOnly.password == "secret" && passwordOnly.database == nil)

        let ipv6 = try RedisConfiguration(url: "redis://[::1]:7001")
        #expect(ipv6.host == "::1" && ipv6.port == 7001)

        #expect(plain.poolSize == 4 && plain.commandTimeout == .seconds(5) && plain.connectTimeout == .seconds(2))
    }

    @Test func redactedHidesUserInfo() {
        #expect(
            RedisConfiguration.redacted(url: "redis://:s3cret@localhost:notaport") == "redis://***@localhost:notaport"
        )
        #expect(
            RedisConfiguration.redacted(url: "redis://alice:p@ss@cache.local:6380/3")
                == "redis://***@cache.local:6380/3"
        )
        #expect(RedisConfiguration.redacted(url: "redis://localhost:6379/0") == "redis://localhost:6379/0")
        #expect(RedisConfiguration.redacted(url: "unix:///run/redis.sock?db=1") == "unix:///run/redis.sock?db=1")
        // Not even a URL: whatever comes before the last @ may be a password.
        #expect(RedisConfiguration.redacted(url: ":s3cret@localhost") == "***@localhost")
        #expect(RedisConfiguration.redacted(url: "redis:/:s3cret@localhost") == "***@localhost")
        #expect(RedisConfiguration.redacted(url: "pw@x://host") == "***@x://host")
    }

    @Test(arguments: [
        "http://localhost", "redis://", "redis://host:0", "redis://host:65536", "redis://host:abc",
        "redis://host/x", "redis://host/-1", "redis://user@host", "redis://:%zz@host", "redis://[::1",
    ])
    func rejectsBadURLs(url: String) {
        #expect {
            _ = try RedisConfiguration(url: url)
        } throws: { error in
            guard let error = error as? RedisError, case .invalidURL = error else { return false }
            return true
        }
    }
}
