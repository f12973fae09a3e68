// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A TCP port on 127.0.0.1 that was free a moment ago (the kernel picks it for a bind to port 0).
/// Tests run in parallel, so another test's server may take it at any time; use it for a server
/// that is about to bind it, never as a port where "nothing listens".
public func freeLoopbackPort() -> Int {
    let (fd, port) = boundLoopbackSocket()
    close(fd)
    return port
}

/// Runs `body` with a port on 127.0.0.1 where nothing listens and nothing can start listening
/// until `body` returns: the port stays bound to a socket that never listens, so a connect is
/// refused, and another test's redis-server or chatd cannot bind it (their SO_REUSEADDR does
/// not override a bound socket without it).
public func withRefusingLoopbackPort<T>(
    isolation: isolated (any Actor)? = #isolation,
    _ body: (Int) async throws -> T
) async throws -> T {
    let (fd, port) = boundLoopbackSocket()
    defer { close(fd) }
    return try await body(port)
}

private func boundLoopbackSocket() -> (fd: Int32, port: Int) {
    #if canImport(Glibc)
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #else
    let fd = socket(AF_INET, SOCK_STREAM, 0)
    #endif
    precondition(fd >= 0, "socket() failed: \(errno)")
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
            bind(fd, socketAddress, length) == 0 && getsockname(fd, socketAddress, &length) == 0
        }
    }
    precondition(bound, "bind/getsockname on 127.0.0.1:0 failed: \(errno)")
    return (fd, Int(UInt16(bigEndian: address.sin_port)))
}
