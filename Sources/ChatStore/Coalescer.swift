// SPDX-License-Identifier: Apache-2.0
import NIOConcurrencyHelpers

/// Runs many callers' small operations as a few big ones (group commit). A call that
/// finds nothing running starts at once, alone; calls that arrive while it runs wait
/// and then go together, up to `maxBatch` at a time. Idle, a call costs what it did;
/// when 100,000 sessions end at once, their Redis work is a few hundred scripts, not
/// 100,000, so Redis, the watchdog and the other users do not wait behind it.
final class Coalescer<Input: Sendable, Output: Sendable>: Sendable {
    private struct Waiting {
        let input: Input
        let continuation: CheckedContinuation<Output, Never>
    }

    private struct State {
        var waiting: [Waiting] = []
        var running = false
    }

    private let state = NIOLockedValueBox(State())
    private let maxBatch: Int
    /// Returns one output per input, in the same order.
    private let perform: @Sendable ([Input]) async -> [Output]

    init(maxBatch: Int, perform: @escaping @Sendable ([Input]) async -> [Output]) {
        precondition(maxBatch > 0)
        self.maxBatch = maxBatch
        self.perform = perform
    }

    func callAsFunction(_ input: Input) async -> Output {
        await withCheckedContinuation { continuation in
            let start = self.state.withLockedValue { state -> Bool in
                state.waiting.append(Waiting(input: input, continuation: continuation))
                defer { state.running = true }
                return !state.running
            }
            if start {
                Task { await self.drain() }
            }
        }
    }

    /// Calls waiting for a batch (for tests).
    var waitingCount: Int { self.state.withLockedValue { $0.waiting.count } }

    private func drain() async {
        while true {
            // Everything waiting now, in batches; what arrives meanwhile is the next round.
            let round = self.state.withLockedValue { state -> [Waiting] in
                defer { state.waiting = [] }
                if state.waiting.isEmpty { state.running = false }
                return state.waiting
            }
            guard !round.isEmpty else { return }
            for start in stride(from: 0, to: round.count, by: self.maxBatch) {
                let batch = round[start..<min(start + self.maxBatch, round.count)]
                let outputs = await self.perform(batch.map(\.input))
                precondition(outputs.count == batch.count, "one output per input")
                for (waiting, output) in zip(batch, outputs) { waiting.continuation.resume(returning: output) }
            }
        }
    }
}
