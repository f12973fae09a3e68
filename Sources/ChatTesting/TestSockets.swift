// SPDX-License-Identifier: Apache-2.0
import Foundation
import NIOPosix

/// Real sockets owned by a test, created with plain syscalls so the code under test
/// sees exactly what systemd would hand over.
public enum TestSockets {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(_ call: String) { description = "\(call): \(String(cString: strerror(errno)))" }
    }

    /// A fresh private directory; Unix socket paths must stay under 108 bytes, so not too deep.
    public static func temporaryDirectory() throws -> String {
        var template = Array("/tmp/chatd-systemd-XXXXXX".utf8CString)
        guard let dir = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw Failure("mkdtemp")
        }
        return String(cString: dir)
    }

    public static func removeDirectory(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// TCP socket on 127.0.0.1 with a kernel-chosen port, `listen(backlog)` if given.
    public static func tcpListener(backlog: Int32?) throws -> CInt {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure("socket") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else {
            close(fd)
            throw Failure("bind")
        }
        if let backlog {
            guard listen(fd, backlog) == 0 else {
                close(fd)
                throw Failure("listen")
            }
        }
        return fd
    }

    /// Unix socket of `type` bound at `path`, `listen(backlog)` if given.
    public static func unixSocket(
        path: String,
        type: Int32 = Int32(SOCK_STREAM.rawValue),
        backlog: Int32?
    ) throws -> CInt {
        let fd = socket(AF_UNIX, type | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure("socket") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in path.utf8.enumerated() { raw[i] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0 else {
            close(fd)
            throw Failure("bind")
        }
        if let backlog {
            guard listen(fd, backlog) == 0 else {
                close(fd)
                throw Failure("listen")
            }
        }
        return fd
    }

    public static func localPort(_ fd: CInt) -> Int {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// The receiving end of a `NOTIFY_SOCKET`: an AF_UNIX datagram socket in a temp dir.
/// Blocking receives run on a private thread pool, never on the test's executor.
public final class NotifySocket: Sendable {
    public let directory: String
    public let path: String
    private let fd: CInt
    private let pool: NIOThreadPool

    /// `name` may contain a subdirectory (created), e.g. `journal/socket`.
    public init(name: String = "notify") throws {
        directory = try TestSockets.temporaryDirectory()
        path = directory + "/" + name
        if let slash = name.lastIndex(of: "/") {
            try FileManager.default.createDirectory(
                atPath: directory + "/" + name[..<slash],
                withIntermediateDirectories: true
            )
        }
        fd = try TestSockets.unixSocket(path: path, type: Int32(SOCK_DGRAM.rawValue), backlog: nil)
        pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
    }

    /// The next datagram, or nil if none arrives within `timeout` (a bound, not a sync point).
    public func receive(timeout: Duration = .seconds(10)) async throws -> String? {
        try await receiveBytes(timeout: timeout).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The next datagram as raw bytes (journal entries may carry binary length prefixes).
    public func receiveBytes(timeout: Duration = .seconds(10)) async throws -> [UInt8]? {
        let fd = self.fd
        let milliseconds = Int32(
            timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000
        )
        return try await pool.runIfActive {
            var pollfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pollfd, 1, milliseconds) == 1 else { return nil }
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n >= 0 else { throw TestSockets.Failure("recv") }
            return Array(buffer[..<n])
        }
    }

    /// A datagram of our own into the same queue: it orders events the test observes
    /// relative to the datagrams the code under test sends.
    public func sendMarker(_ text: String) {
        let sender = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        defer { close(sender) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in path.utf8.enumerated() { raw[i] = byte }
        }
        _ = text.withCString { message in
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(sender, message, strlen(message), 0, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
        }
    }

    public func shutdown() async throws {
        close(fd)
        try await pool.shutdownGracefully()
        TestSockets.removeDirectory(directory)
    }
}
