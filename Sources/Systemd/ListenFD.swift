// SPDX-License-Identifier: Apache-2.0
import CSystemd

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One socket passed by systemd socket activation.
public struct ListenFD: Sendable, Hashable, CustomStringConvertible {
    /// What the kernel says the descriptor is; only listening stream sockets are useful to chatd.
    public enum Kind: Sendable, Hashable, CustomStringConvertible {
        case tcpListener
        case unixListener
        case otherSocket
        case notASocket

        public var description: String {
            switch self {
            case .tcpListener: "a listening TCP socket"
            case .unixListener: "a listening Unix stream socket"
            case .otherSocket: "a socket of another kind"
            case .notASocket: "not a socket"
            }
        }
    }

    public let fd: CInt
    /// `FileDescriptorName=` from the socket unit (`"unknown"` if systemd gave none).
    public let name: String
    public let kind: Kind

    /// Classifies `fd` by asking the kernel (via libsystemd's `sd_is_socket*`).
    public init(fd: CInt, name: String) {
        self.fd = fd
        self.name = name
        self.kind = Self.classify(fd)
    }

    public var description: String { "fd \(fd) named '\(name)'" }

    static func classify(_ fd: CInt) -> Kind {
        // AF_UNSPEC accepts both IPv4 and IPv6; listening = 1 demands listen() was called.
        if sd_is_socket_inet(fd, Int32(AF_UNSPEC), Int32(SOCK_STREAM.rawValue), 1, 0) > 0 {
            return .tcpListener
        }
        if sd_is_socket_unix(fd, Int32(SOCK_STREAM.rawValue), 1, nil, 0) > 0 {
            return .unixListener
        }
        if sd_is_socket(fd, Int32(AF_UNSPEC), 0, -1) > 0 {
            return .otherSocket
        }
        return .notASocket
    }
}
