// SPDX-License-Identifier: Apache-2.0
import CSystemd

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Why a listening socket's backlog could not be read.
public enum ListenBacklogError: Error, Equatable, CustomStringConvertible {
    case notListening(fd: CInt)
    case unsupportedFamily(CInt)
    case system(call: String, errno: CInt)
    /// The kernel's dump did not contain the socket (e.g. another network namespace).
    case notFound(inode: UInt64)

    public var description: String {
        switch self {
        case .notListening(let fd): "fd \(fd) is not a listening socket"
        case .unsupportedFamily(let family): "socket family \(family) has no backlog diagnostics"
        case .system(let call, let errno): "\(call): \(String(cString: strerror(errno)))"
        case .notFound(let inode): "socket inode \(inode) not found in the kernel's socket dump"
        }
    }
}

/// The accept-queue limit the kernel currently applies to a listening socket, i.e. the
/// `backlog` of its last `listen()` call (clamped to `somaxconn`).
///
/// Needed because NIO's `ServerBootstrap.withBoundSocket` calls `listen()` again with
/// `ChannelOptions.backlog` (default 128), which would shrink systemd's `Backlog=`.
/// Pass the result as `.serverChannelOption(.backlog, value:)` when adopting.
public func listenBacklog(ofListeningSocket fd: CInt) throws(ListenBacklogError) -> Int32 {
    guard try socketOption(fd, SO_ACCEPTCONN) == 1 else { throw .notListening(fd: fd) }
    let family = try socketOption(fd, SO_DOMAIN)
    var st = stat()
    guard fstat(fd, &st) == 0 else { throw .system(call: "fstat", errno: errno) }
    let inode = UInt64(st.st_ino)

    let listeners: [SockDiag.Listener]
    switch family {
    case AF_INET, AF_INET6: listeners = try SockDiag.tcpListeners(family: family)
    case AF_UNIX: listeners = try SockDiag.unixListeners()
    default: throw .unsupportedFamily(family)
    }
    // Diag reports 32-bit inode numbers; socket inodes (sockfs) fit.
    guard let match = listeners.first(where: { UInt64($0.inode) == inode }) else { throw .notFound(inode: inode) }
    return Int32(clamping: match.maxBacklog)
}

/// The backlog to use when adopting `fd` into NIO: the socket's own, or if that cannot
/// be read, `net.core.somaxconn` (systemd's default for `Backlog=`).
public func adoptionBacklog(fd: CInt) -> Int32 {
    if let backlog = try? listenBacklog(ofListeningSocket: fd) { return backlog }
    return systemSomaxconn()
}

/// `/proc/sys/net/core/somaxconn`, or 4096 (the kernel default since 5.4) if unreadable.
public func systemSomaxconn() -> Int32 {
    let fallback: Int32 = 4096
    let fd = open("/proc/sys/net/core/somaxconn", O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return fallback }
    defer { close(fd) }
    var buffer = [UInt8](repeating: 0, count: 32)
    let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
    guard n > 0 else { return fallback }
    let text = String(decoding: buffer[..<n], as: UTF8.self).trimmingWhitespace
    return Int32(text).flatMap { $0 > 0 ? $0 : nil } ?? fallback
}

private func socketOption(_ fd: CInt, _ option: CInt) throws(ListenBacklogError) -> CInt {
    var value: CInt = 0
    var length = socklen_t(MemoryLayout<CInt>.size)
    guard getsockopt(fd, SOL_SOCKET, option, &value, &length) == 0 else {
        throw .system(call: "getsockopt", errno: errno)
    }
    return value
}

extension String {
    fileprivate var trimmingWhitespace: Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\n" || $0 == "\t" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return self[start...end]
    }
}
