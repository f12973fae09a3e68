// SPDX-License-Identifier: Apache-2.0
import ChatTesting
import Testing

/// The order of the child's dup2 steps that pass descriptors as 3, 4, … (as systemd
/// does), checked by carrying the steps out on a table of what each number holds.
@Suite struct DescriptorPlacementTests {
    /// Applies `steps` to a table where each source number holds its own name.
    private func place(_ sources: [Int32], first: Int32 = 3) -> [Int32: Int32] {
        var table = Dictionary(uniqueKeysWithValues: sources.map { ($0, $0) })
        for step in DescriptorPlacement.steps(sources, first: first) {
            table[step.to] = table[step.from]
        }
        return table
    }

    private func expectPlaced(_ sources: [Int32], _ comment: Comment? = nil) {
        let table = place(sources)
        for (index, source) in sources.enumerated() {
            #expect(table[3 + Int32(index)] == source, comment)
        }
    }

    @Test func sourcesAboveTheTargetsMoveDown() {
        expectPlaced([40, 41, 42])
    }

    @Test func aSourceAlreadyInPlaceStaysAndGetsItsOwnStep() {
        expectPlaced([3, 40])
        let steps = DescriptorPlacement.steps([3, 40], first: 3)
        #expect(steps.contains { $0.from == 3 && $0.to == 3 })
    }

    @Test func aChainIsMovedFromItsEnd() {
        // 4 → 3 would overwrite 3 before it went to 5.
        expectPlaced([4, 5, 3])
    }

    @Test func aCycleIsBrokenThroughOneSpareNumberOutsideTheSources() {
        expectPlaced([4, 3])
        let steps = DescriptorPlacement.steps([4, 3], first: 3)
        let written = Set(steps.map(\.to)).subtracting([3, 4])
        #expect(written.count == 1)
        #expect(written.allSatisfy { $0 >= 5 })
    }

    @Test func everyShuffleOfTheTargetRangeAndBeyondIsPlaced() {
        var generator = SystemRandomNumberGenerator()
        for count in [1, 2, 3, 7, 50, 10_000] {
            for _ in 0..<20 {
                let pool = Array(Int32(3)...Int32(3 + 2 * count))
                let sources = Array(pool.shuffled(using: &generator).prefix(count))
                expectPlaced(sources, "sources \(sources.prefix(12))")
            }
        }
    }

    @Test func stepsGrowWithTheSourcesOnly() {
        // One step per source plus at most one per cycle: no copy of every descriptor.
        let sources = Array((Int32(3)..<Int32(10_003)).reversed())
        #expect(DescriptorPlacement.steps(sources, first: 3).count <= sources.count * 3 / 2 + 1)
    }
}
