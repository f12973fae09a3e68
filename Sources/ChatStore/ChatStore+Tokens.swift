// SPDX-License-Identifier: Apache-2.0
import Crypto
import Foundation
import RedisClient

/// Resume tokens: `<user id>.<expiry, unix seconds>.<token epoch>.<family>.<HMAC-SHA256, base64url>`.
///
/// Checking one costs an HMAC and one round trip instead of an scrypt hash, so a
/// reconnect storm after a restart is cheap. The key comes from a file (a systemd
/// credential, the same on every node), or else is kept in Redis (a developer's setup:
/// whoever can read Redis could forge tokens). Bumping the user's `token_epoch`
/// (disable, new password) revokes all their tokens at once; a logout revokes its
/// family: the chain of tokens one client got by resuming with the one before.
/// Tokens of four parts (no family, issued before families) are accepted until they expire.
extension ChatStore {
    public func issueToken(for user: UserRecord, lifetime: Duration) async throws(StoreError) -> String {
        let key = try await self.tokenKey()
        let expiry = Int64(Date().timeIntervalSince1970) + lifetime.components.seconds
        let family = user.tokenFamily != 0 ? user.tokenFamily : Self.newTokenFamily()
        let body = "\(user.id).\(expiry).\(user.tokenEpoch).\(family)"
        let mac = HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: key)
        return body + "." + Data(mac).base64URLEncoded
    }

    /// A family for a client's first token (never 0, which means "none yet").
    public static func newTokenFamily() -> UInt64 { UInt64.random(in: 1...UInt64.max) }

    /// The user the token was issued to, if it is genuine, unexpired, not revoked,
    /// issued to `id`, and the user is not disabled. The record carries the token's family.
    public func authenticate(id: Int, token: String) async throws(StoreError) -> UserRecord {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 || parts.count == 5, let tokenUser = Int(parts[0]), let expiry = Int64(parts[1]),
            let epoch = Int(parts[2]), let mac = Data(base64URLEncoded: String(parts[parts.count - 1]))
        else { throw .wrongPassword }
        var family: UInt64 = 0
        if parts.count == 5 {
            guard let number = UInt64(parts[3]), number != 0 else { throw .wrongPassword }
            family = number
        }
        let key = try await self.tokenKey()
        let body = parts.dropLast().joined(separator: ".")
        guard HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Data(body.utf8), using: key),
            tokenUser == id, expiry > Int64(Date().timeIntervalSince1970)
        else { throw .wrongPassword }
        // One round trip: the record, and whether a logout ended this family.
        let replies: [Result<RESPValue, RedisError>]
        do {
            replies = try await self.redis.pipeline([
                ["HGETALL", keys.user(id)], ["EXISTS", keys.revokedTokens(id, family: family)],
            ])
        } catch { throw StoreError.from(error) }
        guard replies.count == 2 else { throw .corruptRecord("unexpected reply to a token check") }
        let fields = try Self.value(replies[0]).fieldMap
        let revoked = try Self.value(replies[1])
        guard !fields.isEmpty else { throw .noSuchUser }
        var record = try UserRecord(id: id, fields: fields)
        guard record.tokenEpoch == epoch, family == 0 || revoked.int != 1 else { throw .wrongPassword }
        guard !record.disabled else { throw .userDisabled }
        record.tokenFamily = family
        _ = try await self.command(["HSET", keys.user(id), UserField.lastLogin, String(WallClock.millis())])
        return record
    }

    /// Invalidates every token issued to the user so far.
    public func revokeTokens(of id: Int) async throws(StoreError) {
        _ = try await self.command(["HINCRBY", keys.user(id), UserField.tokenEpoch, "1"])
    }

    /// Invalidates one family of the user's tokens (a logout): remembered for
    /// `lifetime`, the longest any of its tokens can still be valid.
    public func revokeTokenFamily(_ family: UInt64, of id: Int, lifetime: Duration) async throws(StoreError) {
        guard family != 0 else { return }
        let seconds = max(lifetime.components.seconds, 1)
        _ = try await self.command(["SET", keys.revokedTokens(id, family: family), "1", "EX", String(seconds)])
    }

    /// The HMAC key: the configured one, or else one made once per Redis by whichever node asks first.
    func tokenKey() async throws(StoreError) -> SymmetricKey {
        if let configured = self.configuration.tokenKey { return SymmetricKey(data: configured) }
        if let cached = self.cachedTokenKey.withLockedValue({ $0 }) { return SymmetricKey(data: cached) }
        let fresh = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0).base64EncodedString() }
        _ = try await self.command(["SET", keys.tokenKey, fresh, "NX"])
        guard let stored = try await self.command(["GET", keys.tokenKey]).string,
            let bytes = Data(base64Encoded: stored)
        else {
            throw .corruptRecord("token key")
        }
        self.cachedTokenKey.withLockedValue { $0 = bytes }
        return SymmetricKey(data: bytes)
    }
}

extension Data {
    // Byte by byte: Foundation's `replacingOccurrences` goes through NSString, and was 6%
    // of chatd's CPU in a storm of token logins.
    var base64URLEncoded: String {
        let bytes = self.base64EncodedString().utf8.compactMap { byte -> UInt8? in
            switch byte {
            case UInt8(ascii: "+"): UInt8(ascii: "-")
            case UInt8(ascii: "/"): UInt8(ascii: "_")
            case UInt8(ascii: "="): nil
            default: byte
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    init?(base64URLEncoded text: String) {
        var bytes = text.utf8.map { byte -> UInt8 in
            switch byte {
            case UInt8(ascii: "-"): UInt8(ascii: "+")
            case UInt8(ascii: "_"): UInt8(ascii: "/")
            default: byte
            }
        }
        while bytes.count % 4 != 0 { bytes.append(UInt8(ascii: "=")) }
        self.init(base64Encoded: Data(bytes))
    }
}
