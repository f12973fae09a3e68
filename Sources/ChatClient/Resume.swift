// SPDX-License-Identifier: Apache-2.0
import ChatProtocol

/// What a client needs to come back after losing its session: its credentials (the
/// newest resume token, else the password), and the rules for when to try again.
public struct Resume: Sendable {
    public let user: Int
    private let password: String
    /// From the last successful login; each login returns a new one.
    public private(set) var token: String?

    public init(user: Int, password: String) {
        (self.user, self.password) = (user, password)
    }

    /// The login to send: with the token when the server gave one (no password hash
    /// to recompute in a reconnect storm), else with the password.
    public var login: LoginMes {
        if let token { return LoginMes(userid: self.user, userpwd: "", token: token) }
        return LoginMes(userid: self.user, userpwd: self.password)
    }

    /// Keeps the newest token of a successful login.
    public mutating func accepted(_ reply: LoginResMes) {
        if let token = reply.token, !token.isEmpty { self.token = token }
    }

    /// Whether the end of a session is worth a new one: a drop (no kick), or a kick that
    /// says so (shutdown, slow consumer). An admin's kick, a new password, a deleted user: no.
    public static func mayReconnect(after kick: KickedMes?) -> Bool {
        guard let kick else { return true }
        return kick.reconnect == true
    }

    /// A refused login worth trying again later: the server is busy (503), or still
    /// counts the session it lost (429). Anything else (an expired or revoked token: 403) ends.
    public static func retryable(_ reply: LoginResMes) -> Bool {
        [StatusCode.storeUnavailable, StatusCode.rateLimited].contains(reply.code)
    }

    /// A failure worth retrying: the connection's (cannot connect, lost), not the
    /// server's answer nor a certificate that does not verify.
    public static func retryable(_ failure: ChatFailure) -> Bool {
        failure.status == .unavailable
    }

    /// What to say when a session ends and the client starts coming back.
    public static func lostText(_ why: String?) -> String {
        // A failure's message may say "connection lost: …" already.
        let why = why.map { $0.hasPrefix("connection lost: ") ? String($0.dropFirst("connection lost: ".count)) : $0 }
        return "connection lost" + (why.flatMap { $0.isEmpty ? nil : ": \(sanitize($0))" } ?? "") + "; reconnecting…"
    }

    /// The one line's text after a successful reconnect.
    public static func reconnectedText(missed: Int) -> String {
        "reconnected, \(missed) missed message" + (missed == 1 ? "" : "s")
    }
}
