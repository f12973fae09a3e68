// SPDX-License-Identifier: Apache-2.0
/// The `code` values of replies. Seed codes keep their seed meaning.
public enum StatusCode {
    public static let ok = 200
    /// Malformed frame or payload; for `RegisterResMes`, the seed's "id already registered".
    public static let badRequest = 400
    public static let notLoggedIn = 401
    public static let wrongPassword = 403
    public static let notFound = 404
    /// A frame was started and not finished in time (slow-drip sender); the connection closes.
    public static let timeout = 408
    public static let tooLarge = 413
    public static let rateLimited = 429
    /// The seed's "no such user" for `LoginResMes`; also an internal error elsewhere.
    public static let noSuchUser = 500
    public static let storeUnavailable = 503
    /// The store did not answer in time: the request may have been carried out (a message
    /// stored). Check (history) before sending again.
    public static let outcomeUnknown = 504
}

/// Presence values of `NotifyUserStatusMes.status` and `OnlineUser.status`.
public enum UserStatus {
    public static let online = 0
    public static let offline = 1
    public static let busy = 2
}
