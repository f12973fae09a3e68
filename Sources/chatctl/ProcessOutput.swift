// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// stderr and the exit status through libc: FileHandle is in full Foundation, which
/// would bring ICU's data into the binary.
enum ProcessOutput {
    static func error(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }  // nowhere left to tell
            bytes = bytes.dropFirst(n)
        }
    }

    /// libc's exit, which a command's own static `exit(withError:)` hides inside it.
    static func end(_ status: Int32) -> Never {
        exit(status)
    }
}
