import NIOConcurrencyHelpers
import NIOCore

/// Every open chat connection, logged in or not, so shutdown can reach them all.
final class ConnectionTracker: Sendable {
    private let channels = NIOLockedValueBox([ObjectIdentifier: any Channel]())

    func track(_ channel: any Channel) {
        let key = ObjectIdentifier(channel)
        self.channels.withLockedValue { $0[key] = channel }
        channel.closeFuture.whenComplete { _ in
            self.channels.withLockedValue { _ = $0.removeValue(forKey: key) }
        }
    }

    var all: [any Channel] { self.channels.withLockedValue { Array($0.values) } }
    var count: Int { self.channels.withLockedValue { $0.count } }
}
