// SPDX-License-Identifier: Apache-2.0
import ChatdConfiguration
import Foundation
import Testing

/// etc/chatd/chatd.conf is what admins read (and what the .deb installs): it must list
/// every key, commented out with its real default, and no key chatd does not know.
@Suite struct ChatdConfFileTests {
    struct Documented {
        var key: String
        var value: String
        /// The comment paragraph above the key (shared by the keys it introduces).
        var comment: String
    }

    static func documented() throws -> [Documented] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("etc/chatd/chatd.conf"), encoding: .utf8)
        var found: [Documented] = []
        var comment = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            // A comment is "# " (with a space); a commented-out key starts right after "#".
            if line.hasPrefix("#"), line.dropFirst().first?.isLetter == true, let equals = line.range(of: " =") {
                let key = String(line[line.index(after: line.startIndex)..<equals.lowerBound])
                let value = line[equals.upperBound...].trimmingCharacters(in: .whitespaces)
                found.append(Documented(key: key, value: value, comment: comment))
            } else if line.hasPrefix("#") {
                comment += line + "\n"
            } else {
                comment = ""
            }
        }
        return found
    }

    @Test func documentsEveryKeyOnceAndNoOther() throws {
        let keys = try Self.documented().map(\.key)
        #expect(keys.count == Set(keys).count, "a key documented twice")
        #expect(Set(keys) == Set(ConfigKey.allCases.map(\.rawValue)))
    }

    @Test func documentsTheRealDefaults() throws {
        let defaults = ChatdConfig()
        for documented in try Self.documented() {
            guard let key = ConfigKey(rawValue: documented.key) else { continue }
            #expect(documented.value == key.setting.format(defaults), "\(documented.key)")
        }
    }

    /// "(live" marks what a reload applies; a paragraph shared with a restart-only key names it.
    @Test func marksTheLiveKeys() throws {
        for documented in try Self.documented() {
            guard let key = ConfigKey(rawValue: documented.key) else { continue }
            let saysLive =
                documented.comment.contains("(live")
                && !documented.comment.replacingOccurrences(of: "\n# ", with: " ").contains(
                    "\(documented.key) needs a restart"
                )
            #expect(saysLive == key.setting.live, "\(documented.key)")
        }
    }
}
