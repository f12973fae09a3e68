// SPDX-License-Identifier: Apache-2.0

/// A cluster node's client address, as `CLUSTER SLOTS`, `-MOVED` and `-ASK` name it.
public struct RedisNodeAddress: Hashable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port` (the last colon splits, so IPv6 literals work); an empty host is
    /// `defaultHost` — Redis leaves it empty when the node does not know its own address.
    public init?(parsing text: Substring, defaultHost: String) {
        guard let colon = text.lastIndex(of: ":"),
            let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port)
        else { return nil }
        let host = text[..<colon]
        self.init(host: host.isEmpty ? defaultHost : String(host), port: port)
    }

    public var description: String {
        self.host.contains(":") ? "[\(self.host)]:\(self.port)" : "\(self.host):\(self.port)"
    }
}

/// Which master serves which hash slots, from a `CLUSTER SLOTS` reply.
///
/// Slots no range covers have no master (the cluster is incomplete). Replicas are kept for
/// later (read scaling, failover) but routing uses masters only.
public struct SlotMap: Sendable, Equatable {
    public struct Range: Sendable, Equatable {
        public var slots: ClosedRange<Int>
        public var master: RedisNodeAddress
        public var replicas: [RedisNodeAddress]

        public init(slots: ClosedRange<Int>, master: RedisNodeAddress, replicas: [RedisNodeAddress] = []) {
            self.slots = slots
            self.master = master
            self.replicas = replicas
        }
    }

    /// Sorted by first slot, never overlapping.
    public let ranges: [Range]

    /// Checks that every range lies within 0..<16384 and that no two overlap.
    public init(ranges: [Range]) throws(RedisError) {
        let sorted = ranges.sorted { $0.slots.lowerBound < $1.slots.lowerBound }
        for range in sorted where range.slots.lowerBound < 0 || range.slots.upperBound >= HashSlot.count {
            throw .invalidSlotMap("slots \(range.slots) outside 0...\(HashSlot.count - 1)")
        }
        for (previous, next) in zip(sorted, sorted.dropFirst()) where previous.slots.overlaps(next.slots) {
            throw .invalidSlotMap("slots \(previous.slots) and \(next.slots) overlap")
        }
        self.ranges = sorted
    }

    /// Parses a `CLUSTER SLOTS` reply: `[[start, end, [host, port, id, …], replica…], …]`.
    /// `defaultHost` stands in for an empty host (a node that does not know its address).
    public init(clusterSlots reply: RESPValue, defaultHost: String) throws(RedisError) {
        guard let entries = reply.array else { throw .invalidSlotMap("expected an array, got \(reply)") }
        var ranges: [Range] = []
        ranges.reserveCapacity(entries.count)
        for entry in entries {
            guard let fields = entry.array, fields.count >= 3 else {
                throw .invalidSlotMap("a range needs start, end and a master, got \(entry)")
            }
            guard case .integer(let start) = fields[0], case .integer(let end) = fields[1], start <= end else {
                throw .invalidSlotMap("bad slot bounds \(fields[0]), \(fields[1])")
            }
            let master = try Self.node(fields[2], defaultHost: defaultHost)
            var replicas: [RedisNodeAddress] = []
            for field in fields.dropFirst(3) {
                replicas.append(try Self.node(field, defaultHost: defaultHost))
            }
            ranges.append(Range(slots: start...end, master: master, replicas: replicas))
        }
        try self.init(ranges: ranges)
    }

    /// The master that serves `slot`, or nil if no range covers it.
    public func master(forSlot slot: Int) -> RedisNodeAddress? {
        // Binary search for the last range starting at or before `slot`.
        var low = 0
        var high = self.ranges.count
        while low < high {
            let middle = (low + high) / 2
            if self.ranges[middle].slots.lowerBound <= slot { low = middle + 1 } else { high = middle }
        }
        guard low > 0, self.ranges[low - 1].slots.contains(slot) else { return nil }
        return self.ranges[low - 1].master
    }

    public var masters: Set<RedisNodeAddress> { Set(self.ranges.map(\.master)) }

    /// A node is `[host, port, id, …]`; Redis 7 may add a metadata map, which is ignored.
    private static func node(_ value: RESPValue, defaultHost: String) throws(RedisError) -> RedisNodeAddress {
        guard let fields = value.array, fields.count >= 2, let host = fields[0].string else {
            throw .invalidSlotMap("a node needs host and port, got \(value)")
        }
        guard case .integer(let port) = fields[1], (1...65535).contains(port) else {
            throw .invalidSlotMap("bad port \(fields[1]) for node '\(host)'")
        }
        // "?" is how Redis 7 says the preferred endpoint is unknown: as good as empty.
        return RedisNodeAddress(host: host.isEmpty || host == "?" ? defaultHost : host, port: port)
    }
}
