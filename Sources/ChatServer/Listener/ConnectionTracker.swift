import NIOConcurrencyHelpers
import NIOCore

/// Every open chat connection, logged in or not, so shutdown can reach them all.
/// Whoever tracks a channel untracks it when it closes: the session's handler does,
/// rather than a close-future callback per connection (two allocations each).
final class ConnectionTracker: Sendable {
    private let channels = NIOLockedValueBox([ObjectIdentifier: any Channel]())

    func track(_ channel: any Channel) {
        self.channels.withLockedValue { $0[ObjectIdentifier(channel)] = channel }
    }

    func untrack(_ channel: any Channel) {
        self.channels.withLockedValue { _ = $0.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    var all: [any Channel] { self.channels.withLockedValue { Array($0.values) } }
    var count: Int { self.channels.withLockedValue { $0.count } }
}
