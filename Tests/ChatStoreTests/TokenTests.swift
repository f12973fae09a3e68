// SPDX-License-Identifier: Apache-2.0
import ChatStore
import Crypto
import Foundation
import RedisClient
import TestTier
import Testing

@Suite(.integration) struct TokenTests {
    @Test func tokenLogsInWithoutThePassword() async throws {
        try await withStore { store, _, _ in
            try await store.register(id: 100, username: "ann", password: "pw")
            let user = try await store.authenticate(id: 100, password: "pw")
            let token = try await store.issueToken(for: user, lifetime: .seconds(60))
            #expect(!token.contains("pw"))
            #expect(try await store.authenticate(id: 100, token: token).username == "ann")
        }
    }

    /// The MAC is base64url without padding: 43 characters of A–Z a–z 0–9 - _. Across 64
    /// tokens some hold - and _, so both directions of the alphabet swap are exercised.
    @Test func tokensAreURLSafeAndEveryOneIsAccepted() async throws {
        try await withStore { store, _, _ in
            try await store.register(id: 100, username: "ann", password: "pw")
            let user = try await store.authenticate(id: 100, password: "pw")
            let urlSafe = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
            var macs = ""
            for minutes in 1...64 {
                let token = try await store.issueToken(for: user, lifetime: .seconds(60 * minutes))
                let mac = try #require(token.split(separator: ".").last)
                #expect(mac.count == 43)
                #expect(mac.allSatisfy(urlSafe.contains))
                macs += mac
                #expect(try await store.authenticate(id: 100, token: token).id == 100)
            }
            #expect(macs.contains("-") && macs.contains("_"))
        }
    }

    @Test func forgedExpiredOrForeignTokensAreRefused() async throws {
        try await withStore { store, _, _ in
            try await store.register(id: 100, username: "ann", password: "pw")
            try await store.register(id: 200, username: "bob", password: "pw")
            let ann = try await store.authenticate(id: 100, password: "pw")
            let token = try await store.issueToken(for: ann, lifetime: .seconds(60))
            // Issued to ann, presented for bob.
            await #expect(throws: StoreError.wrongPassword) { try await store.authenticate(id: 200, token: token) }
            // A changed field breaks the signature.
            var parts = token.split(separator: ".").map(String.init)
            parts[1] = String(Int(parts[1])! + 1000)
            await #expect(throws: StoreError.wrongPassword) {
                try await store.authenticate(id: 100, token: parts.joined(separator: "."))
            }
            // Expired.
            let expired = try await store.issueToken(for: ann, lifetime: .seconds(-1))
            await #expect(throws: StoreError.wrongPassword) { try await store.authenticate(id: 100, token: expired) }
            for junk in ["", "a.b.c.d", "100.1.0.", String(repeating: ".", count: 1000)] {
                await #expect(throws: StoreError.wrongPassword) { try await store.authenticate(id: 100, token: junk) }
            }
        }
    }

    @Test func revocationInvalidatesEarlierTokens() async throws {
        try await withStore { store, _, _ in
            try await store.register(id: 100, username: "ann", password: "pw")
            let ann = try await store.authenticate(id: 100, password: "pw")
            let old = try await store.issueToken(for: ann, lifetime: .seconds(60))
            try await store.revokeTokens(of: 100)
            await #expect(throws: StoreError.wrongPassword) { try await store.authenticate(id: 100, token: old) }
            let fresh = try await store.issueToken(
                for: try await store.authenticate(id: 100, password: "pw"),
                lifetime: .seconds(60)
            )
            #expect(try await store.authenticate(id: 100, token: fresh).id == 100)
        }
    }

    /// Every node on the same Redis uses the same key, so any node accepts any node's token.
    @Test func anotherStoreOnTheSameRedisAcceptsTheToken() async throws {
        try await withStore { store, redis, _ in
            try await store.register(id: 100, username: "ann", password: "pw")
            let token = try await store.issueToken(
                for: try await store.authenticate(id: 100, password: "pw"),
                lifetime: .seconds(60)
            )
            let otherNode = ChatStore(redis: redis, configuration: store.configuration)
            #expect(try await otherNode.authenticate(id: 100, token: token).id == 100)
        }
    }

    /// A logout revokes its family: the token a client logged in with and every one it was
    /// given by resuming. Another client's family (another device) keeps working.
    @Test func revokingAFamilyEndsItsTokensOnly() async throws {
        try await withStore { store, _, _ in
            try await store.register(id: 100, username: "ann", password: "pw")
            let phone = try await store.issueToken(
                for: try await store.authenticate(id: 100, password: "pw"),
                lifetime: .seconds(60)
            )
            let laptop = try await store.issueToken(
                for: try await store.authenticate(id: 100, password: "pw"),
                lifetime: .seconds(60)
            )
            let resumed = try await store.authenticate(id: 100, token: phone)
            #expect(resumed.tokenFamily != 0)
            let next = try await store.issueToken(for: resumed, lifetime: .seconds(60))
            #expect(try await store.authenticate(id: 100, token: next).tokenFamily == resumed.tokenFamily)
            #expect(try await store.authenticate(id: 100, token: laptop).tokenFamily != resumed.tokenFamily)

            try await store.revokeTokenFamily(resumed.tokenFamily, of: 100, lifetime: .seconds(60))
            await #expect(throws: StoreError.wrongPassword) { try await store.authenticate(id: 100, token: phone) }
            await #expect(throws: StoreError.wrongPassword) { try await store.authenticate(id: 100, token: next) }
            #expect(try await store.authenticate(id: 100, token: laptop).id == 100)
        }
    }

    /// With a key from a file (a systemd credential) nothing secret is in Redis, and a
    /// store with another key refuses the token.
    @Test func aConfiguredKeyKeepsTheSecretOutOfRedis() async throws {
        let key = String(repeating: "k", count: 32)
        try await withStore(tokenKey: key) { store, redis, _ in
            try await store.register(id: 100, username: "ann", password: "pw")
            let token = try await store.issueToken(
                for: try await store.authenticate(id: 100, password: "pw"),
                lifetime: .seconds(60)
            )
            #expect(try await store.authenticate(id: 100, token: token).id == 100)
            #expect(try await redis.send(["EXISTS", "chat:secret:token"]).int == 0)

            var other = store.configuration
            other.tokenKey = Data(String(repeating: "x", count: 32).utf8)
            let elsewhere = ChatStore(redis: redis, configuration: other)
            await #expect(throws: StoreError.wrongPassword) { try await elsewhere.authenticate(id: 100, token: token) }

            // A four-part token (made before token families) is accepted until it expires.
            let epoch = try #require(try await store.userSummary(id: 100)).tokenEpoch
            let body = "100.\(Int(Date().timeIntervalSince1970) + 60).\(epoch)"
            let mac = HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: SymmetricKey(data: Data(key.utf8)))
            let legacy =
                body + "."
                + Data(mac).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(
                    of: "=",
                    with: ""
                )
            #expect(try await store.authenticate(id: 100, token: legacy).tokenFamily == 0)
        }
    }
}
