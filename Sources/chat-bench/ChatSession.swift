// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import NIOCore

/// One connected chat session as the bench's scenarios hold it.
struct ChatSession: Sendable {
    let index: Int
    let userID: Int
    let channel: any Channel
    private let handler: NIOLoopBound<ChatSessionHandler>

    /// Connects session `index` and installs the frame decoder and handler.
    static func connect(index: Int, userID: Int, connector: Connector, stats: StatsSet) -> EventLoopFuture<ChatSession>
    {
        connector.connect(index: index) { channel in
            channel.eventLoop.makeCompletedFuture {
                let handler = ChatSessionHandler(stats: stats.stats(for: channel.eventLoop))
                // A login reply names every online user: allow far more than chatd's 64 KiB.
                try channel.pipeline.syncOperations.addHandlers([
                    ByteToMessageHandler(FrameDecoder(maxFrameSize: 16 << 20)), handler,
                ])
            }
        }.flatMapThrowing { channel in
            let handler = try channel.pipeline.syncOperations.handler(type: ChatSessionHandler.self)
            handler.stats.counters.connected += 1
            return ChatSession(
                index: index,
                userID: userID,
                channel: channel,
                handler: NIOLoopBound(handler, eventLoop: channel.eventLoop)
            )
        }
    }

    private init(index: Int, userID: Int, channel: any Channel, handler: NIOLoopBound<ChatSessionHandler>) {
        self.index = index
        self.userID = userID
        self.channel = channel
        self.handler = handler
    }

    func register(password: String, timeout: TimeAmount) -> EventLoopFuture<Int> {
        let (handler, id) = (self.handler, self.userID)
        return self.channel.eventLoop.flatSubmit {
            handler.value.register(id: id, password: password, timeout: timeout)
        }
    }

    /// Logs in with `token` when given (a resume token), else with the password.
    func login(password: String, token: String?, timeout: TimeAmount) -> EventLoopFuture<ChatSessionHandler.LoginReply>
    {
        let (handler, id) = (self.handler, self.userID)
        return self.channel.eventLoop.flatSubmit {
            handler.value.login(id: id, password: password, token: token, timeout: timeout)
        }
    }

    /// The resume token of the last successful login, if the server gave one.
    func token() -> EventLoopFuture<String?> {
        let handler = self.handler
        return self.channel.eventLoop.submit { handler.value.token }
    }

    /// One page of the group history (the raw HistoryResMes frame).
    func history(before: String?, limit: Int, timeout: TimeAmount) -> EventLoopFuture<ByteBuffer> {
        let handler = self.handler
        return self.channel.eventLoop.flatSubmit {
            handler.value.history(before: before, limit: limit, timeout: timeout)
        }
    }

    /// Closes the connection without it counting as an error.
    func close() -> EventLoopFuture<Void> {
        let (handler, channel) = (self.handler, self.channel)
        return channel.eventLoop.flatSubmit {
            handler.value.closingOnPurpose = true
            return channel.close()
        }
    }

    /// Runs `body` on the session's loop with its handler.
    func withHandler<T: Sendable>(_ body: @escaping @Sendable (ChatSessionHandler) -> T) -> EventLoopFuture<T> {
        let handler = self.handler
        return self.channel.eventLoop.submit { body(handler.value) }
    }

    var handlerOnLoop: NIOLoopBound<ChatSessionHandler> { self.handler }
}
