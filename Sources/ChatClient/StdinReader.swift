// SPDX-License-Identifier: Apache-2.0
import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Stdin as an async stream of byte chunks. Blocking reads run on a queue of their
/// own (a dispatch thread, not one of the concurrency pool's): stdin may be a
/// terminal, a pipe or a regular file, and the last cannot be polled by an event loop.
public enum StdinReader {
    public static func chunks() -> AsyncStream<[UInt8]> {
        let (stream, continuation) = AsyncStream.makeStream(of: [UInt8].self)
        DispatchQueue(label: "chat.stdin").async {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { break }
                continuation.yield(Array(buffer[0..<n]))
            }
            continuation.finish()
        }
        return stream
    }
}
