// SPDX-License-Identifier: Apache-2.0

import NIOConcurrencyHelpers
import Testing

@testable import ChatStore

@Suite(.timeLimit(.minutes(1)))
struct CoalescerTests {
    /// Holds the first batch until the test lets it go, and records every batch.
    final class Gate: Sendable {
        private let batches = NIOLockedValueBox<[[Int]]>([])
        let (started, startedContinuation) = AsyncStream.makeStream(of: Void.self)
        let (release, releaseContinuation) = AsyncStream.makeStream(of: Void.self)

        func perform(_ inputs: [Int]) async -> [Int] {
            let first = self.batches.withLockedValue { batches in
                batches.append(inputs)
                return batches.count == 1
            }
            if first {
                self.startedContinuation.yield()
                for await _ in self.release { break }
            }
            return inputs.map { $0 * 2 }
        }

        var recorded: [[Int]] { self.batches.withLockedValue { $0 } }
    }

    @Test func aLoneCallRunsAtOnceAndCallsArrivingMeanwhileGoTogether() async throws {
        let gate = Gate()
        let coalescer = Coalescer<Int, Int>(maxBatch: 10) { await gate.perform($0) }
        async let first = coalescer(0)
        for await _ in gate.started { break }
        let outputs = await withTaskGroup(of: (Int, Int).self) { group in
            for input in 1...25 { group.addTask { (input, await coalescer(input)) } }
            while coalescer.waitingCount < 25 { await Task.yield() }
            gate.releaseContinuation.yield()
            var outputs: [Int: Int] = [:]
            for await (input, output) in group { outputs[input] = output }
            return outputs
        }
        #expect(await first == 0)
        #expect(
            outputs == Dictionary(uniqueKeysWithValues: (1...25).map { ($0, $0 * 2) }),
            "each caller gets its own output"
        )
        let batches = gate.recorded
        #expect(batches.map(\.count) == [1, 10, 10, 5], "the first alone, then at most maxBatch at a time")
        #expect(Set(batches.dropFirst().joined()) == Set(1...25))
    }

    @Test func callsOneAfterAnotherEachRunAlone() async {
        let batches = NIOLockedValueBox<[[Int]]>([])
        let coalescer = Coalescer<Int, Int>(maxBatch: 10) { inputs in
            batches.withLockedValue { $0.append(inputs) }
            return inputs.map { $0 * 2 }
        }
        for input in 1...3 { #expect(await coalescer(input) == input * 2) }
        #expect(
            batches.withLockedValue { $0 } == [[1], [2], [3]],
            "an idle coalescer adds no wait and gathers nothing"
        )
    }
}
