// SPDX-License-Identifier: Apache-2.0
import NIOConcurrencyHelpers
import NIOCore

/// The open control connections, at most `limit` of them, and who each one was
/// admitted as: on reload each is checked again against the new policy.
final class ControlConnections: Sendable {
    private struct Entry {
        let channel: any Channel
        var caller: PeerCredentials?
    }

    let limit: Int
    private let entries = NIOLockedValueBox([ObjectIdentifier: Entry]())

    init(limit: Int) {
        self.limit = limit
    }

    /// False when `limit` connections are already open: the caller refuses this one.
    func add(_ channel: any Channel) -> Bool {
        self.entries.withLockedValue { entries in
            guard entries.count < self.limit else { return false }
            entries[ObjectIdentifier(channel)] = Entry(channel: channel)
            return true
        }
    }

    func admitted(_ channel: any Channel, as caller: PeerCredentials) {
        self.entries.withLockedValue { $0[ObjectIdentifier(channel)]?.caller = caller }
    }

    func remove(_ channel: any Channel) {
        self.entries.withLockedValue { _ = $0.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    /// The connections admitted so far, with their callers.
    var admittedCallers: [(channel: any Channel, caller: PeerCredentials)] {
        self.entries.withLockedValue { entries in
            entries.values.compactMap { entry in entry.caller.map { (entry.channel, $0) } }
        }
    }

    var count: Int { self.entries.withLockedValue { $0.count } }
}
