// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import NIOCore

/// The chat loop's connections, one at a time, each in a task of its own that reports
/// on the loop's event stream. Events carry the connection's number, so that a late
/// one from a connection already given up (a kick's EOF, say) is told apart.
enum ChatLink {
    typealias Writer = NIOAsyncChannelOutboundWriter<ClientMessage>

    /// How a connection ended.
    enum End: Sendable {
        /// After connecting: the server closed it (nil), or it broke (why).
        case closed(String?)
        /// It never opened: unreachable, or a TLS certificate that does not verify.
        case failed(ChatFailure)
    }

    enum Event: Sendable {
        case connected(Writer)
        case inbound(Inbound)
        case ended(End)
    }

    /// Connects and reports until the connection ends or the task is cancelled.
    static func open(
        _ number: Int,
        options: ChatLoop.Options,
        report: @escaping @Sendable (Event, Int) -> Void
    ) -> Task<Void, Never> {
        Task {
            var connected = false
            do {
                try await Connection.with(options.server, tls: options.tls, heartbeat: options.heartbeat) {
                    inbound,
                    outbound in
                    connected = true
                    report(.connected(outbound), number)
                    for try await message in inbound { report(.inbound(message), number) }
                }
                report(.ended(.closed(nil)), number)
            } catch let failure as ChatFailure where !connected {
                report(.ended(.failed(failure)), number)
            } catch {
                report(
                    .ended(
                        connected
                            ? .closed(Connection.describe(error))
                            : .failed(ChatFailure(.unavailable, Connection.describe(error)))
                    ),
                    number
                )
            }
        }
    }
}
