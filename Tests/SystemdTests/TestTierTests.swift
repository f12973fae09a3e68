// SPDX-License-Identifier: Apache-2.0
import ChatTesting
import TestTier
import Testing

/// The in-process tier keeps its promise: there, the spawner starts nothing.
@Suite struct TestTierTests {
    @Test(.enabled(if: TestTier.isUnitOnly)) func theSpawnerRefusesInTheInProcessTier() {
        do {
            _ = try SpawnedProcess.launch("/bin/true", arguments: [], environment: [:], onOutput: { _ in })
            Issue.record("/bin/true was started in the in-process tier")
        } catch SpawnError.notInUnitTier(let path) {
            #expect(path == "/bin/true")
        } catch {
            Issue.record("unexpected error: \(error)")
        }
    }
}
