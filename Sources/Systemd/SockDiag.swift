// SPDX-License-Identifier: Apache-2.0
import CSystemd

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Minimal `NETLINK_SOCK_DIAG` client: dumps listening sockets of one family and
/// returns the kernel's `(inode, max backlog)` pairs. For listeners the kernel reports
/// `sk_max_ack_backlog` as the "write queue" (`ss` shows it as Send-Q).
enum SockDiag {
    struct Listener: Equatable {
        var inode: UInt32
        var maxBacklog: UInt32
    }

    private static let tcpListenState: UInt32 = 10  // TCP_LISTEN in the kernel's state enum
    private static let headerLength = MemoryLayout<nlmsghdr>.stride

    static func tcpListeners(family: CInt) throws(ListenBacklogError) -> [Listener] {
        var req = inet_diag_req_v2()
        req.sdiag_family = UInt8(family)
        req.sdiag_protocol = UInt8(IPPROTO_TCP)
        req.idiag_states = 1 << tcpListenState
        return try dump(request: req) { payload in
            guard payload.count >= MemoryLayout<inet_diag_msg>.size else { return nil }
            let msg = payload.loadUnaligned(as: inet_diag_msg.self)
            return Listener(inode: msg.idiag_inode, maxBacklog: msg.idiag_wqueue)
        }
    }

    static func unixListeners() throws(ListenBacklogError) -> [Listener] {
        var req = unix_diag_req()
        req.sdiag_family = UInt8(AF_UNIX)
        req.udiag_states = 1 << tcpListenState
        req.udiag_show = UInt32(UDIAG_SHOW_RQLEN)
        return try dump(request: req) { payload in
            let fixed = MemoryLayout<unix_diag_msg>.size
            guard payload.count >= fixed else { return nil }
            let msg = payload.loadUnaligned(as: unix_diag_msg.self)
            // The queue lengths come as a UNIX_DIAG_RQLEN attribute after the message.
            var offset = align(fixed)
            while offset + 4 <= payload.count {
                let length = Int(payload.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
                let type = Int(payload.loadUnaligned(fromByteOffset: offset + 2, as: UInt16.self))
                guard length >= 4, offset + length <= payload.count else { break }
                if type == Int(UNIX_DIAG_RQLEN), length >= 4 + MemoryLayout<unix_diag_rqlen>.size {
                    let rq = payload.loadUnaligned(fromByteOffset: offset + 4, as: unix_diag_rqlen.self)
                    return Listener(inode: msg.udiag_ino, maxBacklog: rq.udiag_wqueue)
                }
                offset += align(length)
            }
            return nil
        }
    }

    private static func align(_ n: Int) -> Int { (n + 3) & ~3 }

    /// Sends one dump request and collects every parsed reply until `NLMSG_DONE`.
    private static func dump<Request>(
        request: Request,
        parse: (UnsafeRawBufferPointer) -> Listener?
    ) throws(ListenBacklogError) -> [Listener] {
        let sock = socket(AF_NETLINK, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), NETLINK_SOCK_DIAG)
        guard sock >= 0 else { throw .system(call: "socket(AF_NETLINK)", errno: errno) }
        defer { close(sock) }

        var header = nlmsghdr()
        header.nlmsg_len = UInt32(headerLength + MemoryLayout<Request>.size)
        header.nlmsg_type = UInt16(SOCK_DIAG_BY_FAMILY)
        header.nlmsg_flags = UInt16(NLM_F_REQUEST | NLM_F_DUMP)
        header.nlmsg_seq = 1
        var message = [UInt8](repeating: 0, count: Int(header.nlmsg_len))
        message.withUnsafeMutableBytes { bytes in
            bytes.storeBytes(of: header, as: nlmsghdr.self)
            withUnsafeBytes(of: request) {
                bytes.baseAddress!.advanced(by: headerLength).copyMemory(from: $0.baseAddress!, byteCount: $0.count)
            }
        }
        var kernel = sockaddr_nl()
        kernel.nl_family = sa_family_t(AF_NETLINK)
        let sent = message.withUnsafeBytes { bytes in
            withUnsafePointer(to: &kernel) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(sock, bytes.baseAddress, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_nl>.size))
                }
            }
        }
        guard sent == message.count else { throw .system(call: "sendto(netlink)", errno: errno) }

        var found: [Listener] = []
        var buffer = [UInt8](repeating: 0, count: 32 * 1024)
        while true {
            let received = buffer.withUnsafeMutableBytes { recv(sock, $0.baseAddress, $0.count, 0) }
            guard received > 0 else { throw .system(call: "recv(netlink)", errno: received < 0 ? errno : EIO) }
            var failure: CInt?
            var done = false
            buffer.withUnsafeBytes { all in
                let bytes = UnsafeRawBufferPointer(rebasing: all[..<received])
                var offset = 0
                while offset + headerLength <= bytes.count {
                    let h = bytes.loadUnaligned(fromByteOffset: offset, as: nlmsghdr.self)
                    let length = Int(h.nlmsg_len)
                    guard length >= headerLength, offset + length <= bytes.count else { break }
                    let payload = UnsafeRawBufferPointer(rebasing: bytes[(offset + headerLength)..<(offset + length)])
                    switch Int32(h.nlmsg_type) {
                    case NLMSG_DONE:
                        done = true
                    case NLMSG_ERROR:
                        // struct nlmsgerr starts with the negated errno.
                        failure = payload.count >= 4 ? -payload.loadUnaligned(as: Int32.self) : EIO
                        done = true
                    default:
                        if let listener = parse(payload) { found.append(listener) }
                    }
                    if done { break }
                    offset += align(length)
                }
            }
            if let failure { throw .system(call: "SOCK_DIAG_BY_FAMILY", errno: failure) }
            if done { return found }
        }
    }
}
