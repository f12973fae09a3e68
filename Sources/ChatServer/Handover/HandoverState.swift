// SPDX-License-Identifier: Apache-2.0
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// What an orderly stop leaves for the next process beside the sockets: that every
/// kept stream stopped between frames (so it can be read on at once), and what each
/// session held that is not in `SessionTable` — the start of a frame not yet complete.
/// A crash leaves none, and the next process re-checks each session's user instead.
struct HandoverState: Codable, Sendable, Equatable {
    struct Session: Codable, Sendable, Equatable {
        /// Bytes read of a frame that had not arrived whole.
        var unfinished: Data?
        var received: Int
        var sent: Int
    }

    var node: String
    /// By socket inode (as text: JSON keys).
    var sessions: [String: Session] = [:]
    /// Users within their presence grace (id → name): the next process times it anew,
    /// or they would stay online on the other nodes for good.
    var departing: [String: String]? = nil

    func write(to fd: CInt) throws(HandoverError) {
        let data = (try? JSONEncoder().encode(self)) ?? Data()
        let written = data.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        guard written == data.count else { throw .io("pwrite", errno) }
    }

    static func read(from fd: CInt) -> HandoverState? {
        var stats = stat()
        guard fstat(fd, &stats) == 0, stats.st_size > 0 else { return nil }
        var data = Data(count: Int(stats.st_size))
        let read = data.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard read == data.count else { return nil }
        return try? JSONDecoder().decode(HandoverState.self, from: data)
    }
}
