// SPDX-License-Identifier: Apache-2.0
import ChatProtocol

/// The exit statuses of `chat`, one per kind of outcome, so scripts can branch on them.
///
/// - 0 `ok`: done.
/// - 1 `refused`: the server answered but refused (unknown recipient, 503, rate limited, …).
/// - 2 `usage`: bad arguments or configuration.
/// - 3 `badCredentials`: login refused (403 wrong password, 500 no such user).
/// - 4 `alreadyRegistered`: `chat register` with an id that exists.
/// - 5 `untrusted`: with TLS, the server's certificate did not verify (not worth retrying, unlike 69).
/// - 69 `unavailable` (EX_UNAVAILABLE): server unreachable, or the connection was lost
///   (with `--no-reconnect`; otherwise `chat` and `chat listen` log in again).
/// - 130 `interrupted`: SIGINT (128 + 2), as shells report it; SIGTERM gives 143.
public enum ExitStatus: Int32, Sendable, CaseIterable {
    case ok = 0
    case refused = 1
    case usage = 2
    case badCredentials = 3
    case alreadyRegistered = 4
    case untrusted = 5
    case unavailable = 69
    case interrupted = 130

    /// The table printed in `--help`.
    public static let helpText = """
        Exit status:
          0    ok
          1    the server refused the request (e.g. unknown recipient, 503)
          2    usage error (bad arguments or configuration)
          3    bad credentials (login refused: no such user, wrong password)
          4    id already registered (chat register)
          5    TLS: the server's certificate did not verify (wrong CA, or not for that host)
          69   unreachable, or connection lost with --no-reconnect (EX_UNAVAILABLE)
          130  interrupted (SIGINT; 143 for SIGTERM)
        """
}

/// A failure that ends the program: one line for stderr and its exit status.
public struct ChatFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: ExitStatus
    public var message: String

    public init(_ status: ExitStatus, _ message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { self.message }

    /// The failure a `LoginResMes` stands for, nil on success: 403 (wrong password,
    /// disabled user) and 500 (no such user) are bad credentials, the rest refusals.
    public static func login(_ reply: LoginResMes, user: Int) -> ChatFailure? {
        switch reply.code {
        case StatusCode.ok:
            return nil
        case StatusCode.wrongPassword:
            return ChatFailure(
                .badCredentials,
                "login refused for user \(user): " + (reply.error.isEmpty ? "wrong password" : reply.error)
            )
        case StatusCode.noSuchUser:
            return ChatFailure(.badCredentials, "login refused: no such user \(user)")
        default:
            return .refused(code: reply.code, error: reply.error, what: "login")
        }
    }

    /// A non-200 reply to a request: 1, with the server's words when it gave any.
    public static func refused(code: Int, error: String, what: String) -> ChatFailure {
        let why = error.isEmpty ? "" : ": \(error)"
        return ChatFailure(.refused, "\(what) refused (\(code))\(why)")
    }
}
