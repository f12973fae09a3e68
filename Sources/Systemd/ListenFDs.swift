// SPDX-License-Identifier: Apache-2.0
import CSystemd

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Why the passed sockets cannot be used.
public enum ListenFDsError: Error, Equatable, CustomStringConvertible {
    /// `sd_listen_fds_with_names` failed (malformed `LISTEN_*` variables); errno value.
    case environment(errno: CInt)
    case unexpectedCount(got: Int, expectedAtLeast: Int, atMost: Int)
    case unexpectedName(ListenFD)
    case duplicateName(String)
    case missing(names: [String])
    case wrongKind(ListenFD, expected: ListenFD.Kind)

    public var description: String {
        switch self {
        case .environment(let errno):
            "cannot read LISTEN_FDS/LISTEN_FDNAMES: \(String(cString: strerror(errno)))"
        case .unexpectedCount(let got, let least, let most):
            "systemd passed \(got) sockets, expected \(least == most ? "\(least)" : "\(least) to \(most)")"
        case .unexpectedName(let fd):
            "\(fd) is not one of the expected socket names"
        case .duplicateName(let name):
            "more than one socket named '\(name)'"
        case .missing(let names):
            "no socket passed for \(names.map { "'\($0)'" }.joined(separator: ", "))"
        case .wrongKind(let fd, let expected):
            "\(fd) is not \(expected) (it is \(fd.kind))"
        }
    }
}

public enum ListenFDs {
    /// The sockets systemd passed to this process; empty when not socket-activated
    /// (or `LISTEN_PID` names another process), in which case the daemon binds itself.
    ///
    /// Unsets `LISTEN_FDS`, `LISTEN_PID` and `LISTEN_FDNAMES` so children do not inherit
    /// them, and sets `FD_CLOEXEC` on the descriptors.
    public static func take() throws(ListenFDsError) -> [ListenFD] {
        var names: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
        let count = sd_listen_fds_with_names(1, &names)
        guard count >= 0 else { throw .environment(errno: -count) }
        defer {
            // libsystemd allocates a NULL-terminated strv; we own it.
            if let names {
                for i in 0..<Int(count) { free(names[i]) }
                free(names)
            }
        }
        return (0..<count).map { i in
            let name = names?[Int(i)].map { String(cString: $0) } ?? "unknown"
            return ListenFD(fd: SD_LISTEN_FDS_START + i, name: name)
        }
    }
}

extension Array where Element == ListenFD {
    /// Checks the passed sockets against what the unit is supposed to pass and returns
    /// them by name. Every `names` entry must be present, `optional` ones may be, nothing
    /// else may, and each must be of the given kind.
    ///
    ///     let fds = try ListenFDs.take().expect(
    ///         names: ["chat": .tcpListener, "control": .unixListener],
    ///         optional: ["chat-tls": .tcpListener])
    public func expect(
        names required: [String: ListenFD.Kind],
        optional: [String: ListenFD.Kind] = [:]
    ) throws(ListenFDsError) -> [String: ListenFD] {
        let most = required.count + optional.keys.filter { required[$0] == nil }.count
        guard count >= required.count, count <= most else {
            throw .unexpectedCount(got: count, expectedAtLeast: required.count, atMost: most)
        }
        var byName: [String: ListenFD] = [:]
        for fd in self {
            guard let kind = required[fd.name] ?? optional[fd.name] else { throw .unexpectedName(fd) }
            guard byName[fd.name] == nil else { throw .duplicateName(fd.name) }
            guard fd.kind == kind else { throw .wrongKind(fd, expected: kind) }
            byName[fd.name] = fd
        }
        let missing = required.keys.filter { byName[$0] == nil }.sorted()
        guard missing.isEmpty else { throw .missing(names: missing) }
        return byName
    }
}
