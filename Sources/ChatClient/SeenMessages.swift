// SPDX-License-Identifier: Apache-2.0
import ChatProtocol

/// The ids of the messages already shown, so that a message a reconnect delivers again
/// (in its `OfflineMes`, or live) is shown once. Bounded: past `limit` ids the oldest
/// are forgotten, far more than one outage's `OfflineMes` can repeat.
public struct SeenMessages: Sendable {
    public let limit: Int
    private var ids: Set<String> = []
    /// Ring of the ids in the order seen; `next` is where the oldest is replaced.
    private var order: [String] = []
    private var next = 0

    public init(limit: Int = 10_000) {
        precondition(limit > 0)
        self.limit = limit
    }

    /// True the first time an id is seen, and for a message without one (nothing to go by).
    public mutating func firstSight(_ id: String?) -> Bool {
        guard let id else { return true }
        guard self.ids.insert(id).inserted else { return false }
        if self.order.count < self.limit {
            self.order.append(id)
        } else {
            self.ids.remove(self.order[self.next])
            self.order[self.next] = id
            self.next = (self.next + 1) % self.limit
        }
        return true
    }

    /// `message` without what was already shown: nil for a chat message seen before; an
    /// `OfflineMes` keeps only its unseen records (and its note). Acks count as seen, as
    /// our own messages are shown from them. History pages, asked for, are shown as they are.
    public mutating func unseen(_ message: ServerMessage) -> ServerMessage? {
        switch message {
        case .sms(let m): return self.firstSight(m.id) ? message : nil
        case .privateMessage(let m): return self.firstSight(m.id) ? message : nil
        case .offline(var m):
            m.messages = m.messages.filter { self.firstSight($0.id) }
            return .offline(m)
        case .smsResult(let ack):
            _ = self.firstSight(ack.id)
            return message
        case .privateResult(let ack):
            _ = self.firstSight(ack.id)
            return message
        default:
            return message
        }
    }
}
