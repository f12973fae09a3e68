// SPDX-License-Identifier: Apache-2.0
import Foundation

/// Reads a process's memory from /proc (Linux).
enum ProcStatus {
    /// VmRSS of `pid` in bytes, or nil when the process or the field is missing.
    static func residentBytes(pid: Int32) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 2, let kib = Int(fields[1]) else { return nil }
            return kib * 1024
        }
        return nil
    }

    /// Sum of VmRSS over `pids`; nil when any is unreadable or there are none.
    static func residentBytes(pids: [Int32]) -> Int? {
        guard !pids.isEmpty else { return nil }
        var sum = 0
        for pid in pids {
            guard let bytes = residentBytes(pid: pid) else { return nil }
            sum += bytes
        }
        return sum
    }
}
