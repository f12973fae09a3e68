// SPDX-License-Identifier: Apache-2.0
import Foundation

/// What the store may be told by chatd's configuration.
public struct StoreConfiguration: Sendable {
    /// Prepended to every key, so several deployments can share one Redis.
    public var keyPrefix: String = "chat:"
    /// The seed's user hash, imported from at login and by `importSeedUsers()`.
    public var seedUserHash: String = "user"
    /// Approximate length caps (`MAXLEN ~`) of the streams.
    public var groupHistoryMax: Int = 100_000
    public var conversationMax: Int = 10_000
    public var inboxMax: Int = 10_000
    /// The most messages of each kind (group, private) in an `OfflineMes`.
    public var offlineMax: Int = 100
    /// The most messages one history page may return.
    public var historyPageMax: Int = 200
    public var scrypt: ScryptParameters = .init()
    /// The resume tokens' HMAC key, from a file every node shares; nil: a key kept in Redis.
    public var tokenKey: Data?

    public init() {}
}
