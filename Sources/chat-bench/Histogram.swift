// SPDX-License-Identifier: Apache-2.0
/// Log-linear latency histogram in microseconds (HdrHistogram's idea, about 0.1 %
/// precision): exact below 2048 µs, then 1024 buckets per power of two.
/// Not thread-safe: one per event loop, merged at the end.
struct Histogram: Sendable {
    private static let exact = 2048
    private static let subBuckets = 1024
    private static let maxShift = 40
    private(set) var counts: [UInt64]
    private(set) var total: UInt64 = 0
    private(set) var maxValue: UInt64 = 0

    init() {
        self.counts = [UInt64](repeating: 0, count: Self.exact + Self.maxShift * Self.subBuckets)
    }

    mutating func record(microseconds value: UInt64) {
        self.counts[Self.index(of: value)] &+= 1
        self.total &+= 1
        if value > self.maxValue { self.maxValue = value }
    }

    mutating func merge(_ other: Histogram) {
        for i in other.counts.indices where other.counts[i] != 0 {
            self.counts[i] &+= other.counts[i]
        }
        self.total &+= other.total
        self.maxValue = max(self.maxValue, other.maxValue)
    }

    /// The value at quantile `q` (0…1), in µs; 0 when empty.
    func value(atQuantile q: Double) -> UInt64 {
        guard self.total > 0 else { return 0 }
        let rank = max(1, UInt64((Double(self.total) * q).rounded(.up)))
        var seen: UInt64 = 0
        for i in self.counts.indices {
            seen &+= self.counts[i]
            if seen >= rank { return min(Self.highestValue(of: i), self.maxValue) }
        }
        return self.maxValue
    }

    static func index(of value: UInt64) -> Int {
        if value < UInt64(exact) { return Int(value) }
        let bits = 64 - value.leadingZeroBitCount
        let shift = min(bits - 11, maxShift)
        let mantissa = Int(min(value >> UInt64(shift), UInt64(2 * subBuckets - 1)))
        return exact + (shift - 1) * subBuckets + (mantissa - subBuckets)
    }

    /// Highest value that lands in bucket `index`.
    static func highestValue(of index: Int) -> UInt64 {
        if index < exact { return UInt64(index) }
        let shift = (index - exact) / subBuckets + 1
        let mantissa = UInt64((index - exact) % subBuckets + subBuckets)
        return ((mantissa + 1) << UInt64(shift)) - 1
    }
}
