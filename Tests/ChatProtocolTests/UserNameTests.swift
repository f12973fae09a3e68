// SPDX-License-Identifier: Apache-2.0

import ChatProtocol
import ChatTesting
import Foundation
import Testing

/// The name rule and the terminal escaping, checked against the issue's own list of
/// forbidden scalars (written out here again, not taken from the code under test).
@Suite struct UserNameTests {
    /// C0, DEL, C1, the bidi controls, the line and paragraph separators.
    static let forbidden: [ClosedRange<UInt32>] = [
        0x00...0x1F, 0x7F...0x7F, 0x80...0x9F,
        0x061C...0x061C, 0x200E...0x200F, 0x202A...0x202E, 0x2066...0x2069,
        0x2028...0x2029,
    ]

    static func isForbidden(_ scalar: Unicode.Scalar) -> Bool {
        forbidden.contains { $0.contains(scalar.value) }
    }

    static func utf8Length(_ scalar: Unicode.Scalar) -> Int {
        switch scalar.value {
        case ..<0x80: return 1
        case ..<0x800: return 2
        case ..<0x10000: return 3
        default: return 4
        }
    }

    @Test func examples() throws {
        #expect(UserName.problem("ann") == nil)
        #expect(UserName.problem("Zoë Ångström 山田") == nil)
        #expect(UserName.problem("a b") == nil)
        #expect(try #require(UserName.problem("")).contains("1 to 64 bytes"))
        #expect(UserName.problem(String(repeating: "a", count: 64)) == nil)
        #expect(try #require(UserName.problem(String(repeating: "a", count: 65))).contains("1 to 64 bytes of UTF-8"))
        // 32 two-byte letters are 64 bytes; one more is over, though only 33 characters.
        #expect(UserName.problem(String(repeating: "é", count: 32)) == nil)
        #expect(UserName.problem(String(repeating: "é", count: 33)) != nil)
        // One grapheme, 50,001 bytes: counted by bytes, it cannot pass.
        let zalgo = "e" + String(repeating: "\u{301}", count: 25_000)
        #expect(zalgo.count == 1)
        #expect(try #require(UserName.problem(zalgo)).contains("this one has 50001"))
        for (name, scalar) in [
            ("a\u{1B}[2Kb", "U+001B"), ("\u{1B}]0;title\u{07}", "U+001B"), ("x\u{9B}31m", "U+009B"),
            ("evil\u{202E}gnp.exe", "U+202E"), ("a\u{2028}b", "U+2028"), ("tab\there", "U+0009"),
            ("del\u{7F}", "U+007F"), ("nul\u{0}", "U+0000"), ("\u{2066}x\u{2069}", "U+2066"),
        ] {
            let problem = try #require(UserName.problem(name), "\(scalar) passed")
            #expect(problem.contains("control") && problem.contains(scalar), "\(problem)")
        }
    }

    /// Every scalar of the BMP, and a few beyond, alone as a name: refused exactly when listed.
    @Test func everySingleScalar() {
        var scalars = (0...0xFFFF).compactMap(Unicode.Scalar.init(_:))
        scalars += [0x1F600, 0x1D11E, 0xE0001, 0x10FFFF].compactMap(Unicode.Scalar.init(_:))
        for scalar in scalars {
            let refused = UserName.problem(String(Character(scalar))) != nil
            if refused != Self.isForbidden(scalar) || TerminalText.isControl(scalar) != Self.isForbidden(scalar) {
                Issue.record("U+\(String(scalar.value, radix: 16, uppercase: true)) refused: \(refused)")
            }
        }
    }

    /// Random names mixing allowed and forbidden scalars of every UTF-8 length, around
    /// the 64-byte edge: accepted ⇔ 1…64 bytes and no forbidden scalar. And the same
    /// strings escaped for a terminal keep no control, and survive JSON.
    @Test func randomNames() throws {
        var rng = SeededGenerator(seed: 0x5EED_0F_4A3E5)
        let allowedPools: [ClosedRange<UInt32>] = [
            0x20...0x7E, 0xA0...0xFF, 0x300...0x36F, 0x0600...0x061B, 0x061D...0x06FF,
            0x2000...0x200D, 0x2010...0x2027, 0x202F...0x2065, 0x206A...0x206F, 0x4E00...0x4FFF,
            0xFE00...0xFFFD, 0x1F300...0x1F64F, 0xE0000...0xE007F,
        ]
        var accepted = 0
        var byLength = 0
        var byControl = 0
        for _ in 0..<20_000 {
            // Most names have no forbidden scalar, so acceptance is often right at the edge.
            let forbiddenChance = [0, 0, 1, 5, 30][Int(rng.next() % 5)]
            let count = Int(rng.next() % 70)
            var scalars = String.UnicodeScalarView()
            for _ in 0..<count {
                let pools = Int(rng.next() % 100) < forbiddenChance ? Self.forbidden : allowedPools
                let pool = pools[Int(rng.next() % UInt64(pools.count))]
                let value = pool.lowerBound + UInt32(rng.next() % UInt64(pool.count))
                scalars.append(Unicode.Scalar(value)!)
            }
            let name = String(scalars)
            let bytes = scalars.reduce(0) { $0 + Self.utf8Length($1) }
            let clean = !scalars.contains(where: Self.isForbidden)
            let problem = UserName.problem(name)
            #expect(
                (problem == nil) == ((1...64).contains(bytes) && clean),
                "\(Array(scalars)): \(problem ?? "accepted")"
            )
            if problem == nil { accepted += 1 }
            if !(1...64).contains(bytes) {
                byLength += 1
                #expect(problem?.contains("bytes") == true)
            } else if !clean {
                byControl += 1
                #expect(problem?.contains("control") == true)
            }

            let escaped = TerminalText.escaped(name)
            #expect(!escaped.unicodeScalars.contains(where: Self.isForbidden))
            #expect(TerminalText.escaped(escaped) == escaped)
            if clean { #expect(Array(escaped.unicodeScalars) == Array(scalars)) }

            let json = TerminalText.escapedJSON(String(decoding: try JSONEncoder().encode([name]), as: UTF8.self))
            #expect(!json.unicodeScalars.contains(where: Self.isForbidden))
            let decoded = try JSONDecoder().decode([String].self, from: Data(json.utf8))
            #expect(decoded.map { Array($0.unicodeScalars) } == [Array(scalars)])
        }
        // The generator reached all three outcomes often.
        #expect(accepted > 1000 && byLength > 1000 && byControl > 1000, "\(accepted) \(byLength) \(byControl)")
    }

    @Test func escapedShowsWhatWasThere() {
        #expect(
            TerminalText.escaped("a\u{1B}[1Ab\u{07}\tc\nd\u{202E}e\u{9B}") == #"a\u{1B}[1Ab\u{7}\tc\nd\u{202E}e\u{9B}"#
        )
        #expect(TerminalText.escaped("plain é 山") == "plain é 山")
        #expect(TerminalText.escapedJSON(#"{"a":"x\#u{202E}y\#u{85}"}"#) == #"{"a":"x\u202Ey\u0085"}"#)
    }
}
