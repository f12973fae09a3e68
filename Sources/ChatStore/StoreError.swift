import RedisClient

/// Why a store operation did not happen, as the chat layer needs to tell it apart.
public enum StoreError: Error, Sendable, Equatable {
    /// Redis is unreachable or failed: the client gets 503; nothing was stored.
    case unavailable(String)
    case userExists
    case noSuchUser
    case wrongPassword
    case userDisabled
    case invalidInput(String)
    /// A record in Redis that we cannot read (hand-edited, foreign).
    case corruptRecord(String)

    static func from(_ error: any Error) -> StoreError {
        if let error = error as? StoreError { return error }
        return .unavailable("\(error)")
    }
}
