import ChatProtocol

/// What handling one request means for the session that sent it. Applied on the
/// session's event loop, in order.
struct RequestOutcome: Sendable {
    var replies: [ServerMessage] = []
    /// Set when the request logged the session in.
    var loggedIn: UserIdentity?
    /// Close the connection after the replies are written.
    var close = false

    static func reply(_ messages: ServerMessage...) -> RequestOutcome {
        RequestOutcome(replies: messages)
    }
}
