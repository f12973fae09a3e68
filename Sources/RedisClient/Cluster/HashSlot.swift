// SPDX-License-Identifier: Apache-2.0

/// Which of Redis Cluster's 16384 hash slots a key belongs to.
///
/// The rule is the cluster specification's: CRC16 (XMODEM) of the key modulo 16384, where a
/// hash tag — the bytes between the first `{` and the next `}`, if there is at least one —
/// stands for the whole key, so related keys can be kept on one node.
public enum HashSlot {
    public static let count = 16384

    public static func slot(forKey key: String) -> Int {
        self.slot(forKey: Array(key.utf8))
    }

    public static func slot(forKey key: [UInt8]) -> Int {
        Int(self.crc16(self.hashedPart(of: key)) & UInt16(Self.count - 1))
    }

    /// The bytes that are hashed: the hash tag if there is a non-empty one, else the key.
    static func hashedPart(of key: [UInt8]) -> ArraySlice<UInt8> {
        guard let open = key.firstIndex(of: UInt8(ascii: "{")),
            let close = key[(open + 1)...].firstIndex(of: UInt8(ascii: "}")),
            close > open + 1
        else { return key[...] }
        return key[(open + 1)..<close]
    }

    /// CRC16-CCITT as XMODEM computes it: polynomial 0x1021, initial value 0, no reflection.
    static func crc16(_ bytes: ArraySlice<UInt8>) -> UInt16 {
        var crc: UInt16 = 0
        for byte in bytes {
            crc = (crc << 8) ^ Self.table[Int(UInt8(truncatingIfNeeded: crc >> 8) ^ byte)]
        }
        return crc
    }

    private static let table: [UInt16] = (0..<256).map { index in
        var crc = UInt16(index) << 8
        for _ in 0..<8 {
            crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1
        }
        return crc
    }
}
