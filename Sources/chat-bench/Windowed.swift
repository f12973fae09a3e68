// SPDX-License-Identifier: Apache-2.0
import NIOCore

/// Runs `operation(0..<count)` with at most `window` of them in flight; results by index.
func windowed<T: Sendable>(
    _ count: Int,
    window: Int,
    _ operation: @escaping @Sendable (Int) -> EventLoopFuture<T>
) async -> [Result<T, any Error>] {
    await withTaskGroup(of: (Int, Result<T, any Error>).self) { group in
        var results = [Result<T, any Error>?](repeating: nil, count: count)
        var next = 0
        func start() {
            let index = next
            next += 1
            group.addTask {
                do { return (index, .success(try await operation(index).get())) } catch {
                    return (index, .failure(error))
                }
            }
        }
        while next < min(window, count) { start() }
        while let (index, result) = await group.next() {
            results[index] = result
            if next < count { start() }
        }
        return results.map { $0! }
    }
}
