// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import NIOCore

/// What handling one request means for the session that sent it. Applied on the
/// session's event loop, in order.
struct RequestOutcome: Sendable {
    /// Encoded replies (encoded by the router, off the event loop).
    var replies: [ByteBuffer] = []
    /// Set when the request logged the session in.
    var loggedIn: UserIdentity?
    /// Close the connection after the replies are written.
    var close = false
    /// Run once the replies were written to the socket (not when the connection was
    /// gone first): what counts as delivered only once the client has it.
    var onWritten: (@Sendable () -> Void)?

    static func reply(_ messages: ServerMessage...) -> RequestOutcome {
        RequestOutcome(replies: messages.map { $0.frame() })
    }
}
