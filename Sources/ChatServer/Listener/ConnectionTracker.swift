// SPDX-License-Identifier: Apache-2.0
import NIOConcurrencyHelpers
import NIOCore

/// Every open chat connection, logged in or not, so shutdown can reach them all, and
/// how many each source holds, so one source cannot take every place.
/// Whoever tracks a channel untracks it when it closes: the session's handler does,
/// rather than a close-future callback per connection (two allocations each).
final class ConnectionTracker: Sendable {
    private struct Entry {
        let channel: any Channel
        /// The source whose place this connection holds; nil when it holds none
        /// (refused, or a peer without an address).
        let source: SourceAddress?
    }

    private struct State {
        var channels: [ObjectIdentifier: Entry] = [:]
        var perSource: [SourceAddress: Int] = [:]
    }

    enum Admission: Equatable {
        case admitted
        /// `max_connections` reached.
        case full
        /// `connections_per_address` reached by the connection's source.
        case sourceFull
    }

    private let state = NIOLockedValueBox(State())

    /// Tracks `channel` and says whether it may stay: over a limit (0: none per source)
    /// it is still tracked, so shutdown reaches it, but holds no place of its source.
    func track(_ channel: any Channel, maxConnections: Int, perSource: Int) -> Admission {
        let source = channel.remoteAddress.flatMap(SourceAddress.init)
        return self.state.withLockedValue { state in
            let admission: Admission
            if state.channels.count >= maxConnections {
                admission = .full
            } else if let source, perSource > 0, state.perSource[source, default: 0] >= perSource {
                admission = .sourceFull
            } else {
                admission = .admitted
            }
            let counted = admission == .admitted ? source : nil
            state.channels[ObjectIdentifier(channel)] = Entry(channel: channel, source: counted)
            if let counted { state.perSource[counted, default: 0] += 1 }
            return admission
        }
    }

    func untrack(_ channel: any Channel) {
        self.state.withLockedValue { state in
            guard let entry = state.channels.removeValue(forKey: ObjectIdentifier(channel)), let source = entry.source
            else { return }
            let left = state.perSource[source, default: 1] - 1
            state.perSource[source] = left > 0 ? left : nil
        }
    }

    var all: [any Channel] { self.state.withLockedValue { $0.channels.values.map(\.channel) } }
    var count: Int { self.state.withLockedValue { $0.channels.count } }
}
