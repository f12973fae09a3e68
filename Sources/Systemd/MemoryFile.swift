// SPDX-License-Identifier: Apache-2.0
import CSystemd

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// An anonymous file in memory (memfd): state that goes into systemd's fd store beside
/// the sockets, so it lives exactly as long as they do (a file in /run would not).
public enum MemoryFile {
    /// A new, empty one; the caller owns the descriptor.
    public static func create(name: String) throws(MemoryFileError) -> CInt {
        let fd = chatd_memfd_create(name)
        guard fd >= 0 else { throw MemoryFileError(operation: "memfd_create", errno: errno) }
        return fd
    }
}

public struct MemoryFileError: Error, CustomStringConvertible {
    public let operation: String
    public let errno: CInt
    public var description: String { "\(operation): \(String(cString: strerror(errno)))" }
}
