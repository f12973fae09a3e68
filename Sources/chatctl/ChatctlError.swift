// SPDX-License-Identifier: Apache-2.0
/// Why chatctl stopped, with the exit status each case promises (see `chatctl --help`).
enum ChatctlError: Error, Sendable {
    /// chatd understood and said no (unknown user, no such session, bad params…).
    case refused(String)
    /// The command line or its input cannot be used.
    case usage(String)
    /// No chatd on the socket, or it went away without answering.
    case unreachable(String)
    /// chatd or the socket's file permissions refused us.
    case permissionDenied(String)

    var exitCode: Int32 {
        switch self {
        case .refused: return 1
        case .usage: return 2
        case .unreachable: return 69  // EX_UNAVAILABLE
        case .permissionDenied: return 77  // EX_NOPERM
        }
    }

    var message: String {
        switch self {
        case .refused(let why), .usage(let why), .unreachable(let why), .permissionDenied(let why): return why
        }
    }
}
