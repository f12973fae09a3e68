// SPDX-License-Identifier: Apache-2.0
import NIOCore

/// What a throttle remembers of one key; forgotten once `expiry` has passed.
protocol Expiring: Sendable {
    var expiry: NIODeadline { get }
}

/// The state of a throttle, keyed by user or address, with its memory bounded:
/// entries past their expiry are pruned whenever the table has doubled since the last
/// prune (so an update costs O(1) on average, however many keys are live), and with
/// more than `capacity` live entries, those closest to expiry go first. Not
/// thread-safe: the throttles keep it under their lock.
struct ExpiringTable<Value: Expiring>: Sendable {
    private(set) var entries: [String: Value] = [:]
    private let capacity: Int
    private var pruneAt: Int

    init(capacity: Int = 100_000) {
        self.capacity = capacity
        self.pruneAt = min(1024, capacity)
    }

    /// The live value of `key`: nil when there is none or it has expired.
    func value(_ key: String, now: NIODeadline) -> Value? {
        guard let value = self.entries[key], value.expiry > now else { return nil }
        return value
    }

    mutating func set(_ key: String, _ value: Value, now: NIODeadline) {
        self.entries[key] = value
        guard self.entries.count >= self.pruneAt else { return }
        self.entries = self.entries.filter { $0.value.expiry > now }
        if self.entries.count > self.capacity * 3 / 4 {
            // A flood of keys: make room by dropping those soonest to expire.
            let keep = self.entries.sorted { $0.value.expiry > $1.value.expiry }.prefix(self.capacity / 2)
            self.entries = Dictionary(uniqueKeysWithValues: keep.map { ($0.key, $0.value) })
        }
        self.pruneAt = min(max(1024, self.entries.count * 2), self.capacity)
    }

    mutating func remove(_ key: String) {
        self.entries.removeValue(forKey: key)
    }
}
