// SPDX-License-Identifier: Apache-2.0
import NIOCore

/// Where a connection comes from, as the per-source limits count it: an IPv4 address,
/// or an IPv6 /64 — one subscriber usually gets a whole /64, so counting single IPv6
/// addresses would give each of them 2⁶⁴ places. IPv4-mapped IPv6 (a dual-stack
/// listener's IPv4 peers) counts as the IPv4 address.
enum SourceAddress: Hashable, Sendable, CustomStringConvertible {
    case v4(UInt32)
    /// The first 64 bits of the address.
    case v6(UInt64)

    /// Nil for a Unix-domain peer: it has no address to count.
    init?(_ address: SocketAddress) {
        switch address {
        case .v4(let v4):
            self = .v4(UInt32(bigEndian: v4.address.sin_addr.s_addr))
        case .v6(let v6):
            let bytes = withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) }
            let high = bytes[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            let low = bytes[8..<16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            if high == 0, low >> 32 == 0xFFFF {
                self = .v4(UInt32(truncatingIfNeeded: low))
            } else {
                self = .v6(high)
            }
        case .unixDomainSocket:
            return nil
        }
    }

    /// "192.0.2.7", "2001:db8:0:1::/64": for keys and logs.
    var description: String {
        switch self {
        case .v4(let address):
            return (0..<4).map { String(address >> (24 - 8 * $0) & 0xFF) }.joined(separator: ".")
        case .v6(let prefix):
            return (0..<4).map { String(prefix >> (48 - 16 * $0) & 0xFFFF, radix: 16) }.joined(separator: ":") + "::/64"
        }
    }
}
