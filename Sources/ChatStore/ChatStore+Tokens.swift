import Crypto
import Foundation

/// Resume tokens: `<user id>.<expiry, unix seconds>.<token epoch>.<HMAC-SHA256, base64url>`.
///
/// Checking one costs an HMAC and one HGETALL instead of an scrypt hash, so a
/// reconnect storm after a restart is cheap. The key lives in Redis (created once),
/// so every node accepts every node's tokens. Bumping the user's `token_epoch`
/// (disable, new password) revokes all their tokens at once.
extension ChatStore {
    public func issueToken(for user: UserRecord, lifetime: Duration) async throws(StoreError) -> String {
        let key = try await self.tokenKey()
        let expiry = Int64(Date().timeIntervalSince1970) + lifetime.components.seconds
        let body = "\(user.id).\(expiry).\(user.tokenEpoch)"
        let mac = HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: key)
        return body + "." + Data(mac).base64URLEncoded
    }

    /// The user the token was issued to, if it is genuine, unexpired, not revoked,
    /// issued to `id`, and the user is not disabled.
    public func authenticate(id: Int, token: String) async throws(StoreError) -> UserRecord {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, let tokenUser = Int(parts[0]), let expiry = Int64(parts[1]), let epoch = Int(parts[2]),
              let mac = Data(base64URLEncoded: String(parts[3]))
        else { throw .wrongPassword }
        let key = try await self.tokenKey()
        let body = parts[0...2].joined(separator: ".")
        guard HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Data(body.utf8), using: key),
              tokenUser == id, expiry > Int64(Date().timeIntervalSince1970)
        else { throw .wrongPassword }
        let fields = try await self.command(["HGETALL", keys.user(id)]).fieldMap
        guard !fields.isEmpty else { throw .noSuchUser }
        let record = try UserRecord(id: id, fields: fields)
        guard record.tokenEpoch == epoch else { throw .wrongPassword }
        guard !record.disabled else { throw .userDisabled }
        _ = try await self.command(["HSET", keys.user(id), UserField.lastLogin, String(Self.nowMillis())])
        return record
    }

    /// Invalidates every token issued to the user so far.
    public func revokeTokens(of id: Int) async throws(StoreError) {
        _ = try await self.command(["HINCRBY", keys.user(id), UserField.tokenEpoch, "1"])
    }

    /// The HMAC key, made once per Redis by whichever node asks first.
    func tokenKey() async throws(StoreError) -> SymmetricKey {
        if let cached = self.cachedTokenKey.withLockedValue({ $0 }) { return SymmetricKey(data: cached) }
        let fresh = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0).base64EncodedString() }
        _ = try await self.command(["SET", keys.tokenKey, fresh, "NX"])
        guard let stored = try await self.command(["GET", keys.tokenKey]).string, let bytes = Data(base64Encoded: stored) else {
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
