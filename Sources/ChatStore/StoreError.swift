// SPDX-License-Identifier: Apache-2.0
import RedisClient

/// Why a store operation did not happen, as the chat layer needs to tell it apart.
public enum StoreError: Error, Sendable, Equatable {
    /// Redis is unreachable or failed: the client gets 503; nothing was stored.
    case unavailable(String)
    /// The command was sent and no answer came in time: it may or may not have been
    /// carried out (a message may be stored). Said apart from `unavailable`, so a
    /// client does not resend blindly.
    case outcomeUnknown
    case userExists
    /// The id belonged to a user who was deleted: ids are never reused, so that
    /// nobody inherits another's conversations or tokens.
    case idRetired
    /// Too many password hashes are waiting: try again in a moment.
    case busy
    case noSuchUser
    case wrongPassword
    case userDisabled
    case invalidInput(String)
    /// A record in Redis that we cannot read (hand-edited, foreign).
    case corruptRecord(String)

    static func from(_ error: any Error) -> StoreError {
        if let error = error as? StoreError { return error }
        if error is HasherBusy { return .busy }
        if let error = error as? RedisError, error == .timeout { return .outcomeUnknown }
        return .unavailable("\(error)")
    }
}
