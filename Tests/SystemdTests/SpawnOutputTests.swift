// SPDX-License-Identifier: Apache-2.0

import TestTier
import Testing

@testable import ChatTesting

/// A child's output arrives in reads of up to 8 KiB; a character cut by one read's end
/// must wait for its rest, or a test comparing names would see U+FFFD.
@Suite(.integration) struct SpawnOutputTests {
    @Test func aCutCharacterWaitsForItsRest() {
        let bytes = Array("aé€😀".utf8)  // 1 + 2 + 3 + 4 bytes
        #expect(completeUTF8Prefix(bytes) == bytes.count)
        for cut in 1..<4 { #expect(completeUTF8Prefix(Array(bytes.dropLast(cut))) == 6, "cut \(cut)") }
        #expect(completeUTF8Prefix(Array(bytes.prefix(2))) == 1)  // a, then half of é
        #expect(completeUTF8Prefix([]) == 0)
    }

    @Test func longOutputAcrossManyReadsArrivesWhole() async throws {
        let text = String(repeating: "€😀é", count: 5_000)
        let run = try await runToCompletion("/usr/bin/printf", ["%s", text])
        #expect(run.status == 0)
        #expect(run.output == text)
    }
}
