// SPDX-License-Identifier: Apache-2.0
import Foundation

/// Stdin as an async stream of byte chunks. Blocking reads run on a thread of their
/// own: stdin may be a terminal, a pipe or a regular file, and the last cannot be
/// polled by an event loop; a blocked read must not hold a concurrency thread either.
public enum StdinReader {
    public static func chunks() -> AsyncStream<[UInt8]> {
        let (stream, continuation) = AsyncStream.makeStream(of: [UInt8].self)
        Thread.detachNewThread {
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
