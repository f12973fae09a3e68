// SPDX-License-Identifier: Apache-2.0
import ChatProtocol

/// A plain-text table: a header row, then rows, columns padded to the widest cell.
/// Numeric columns are right-aligned so digits line up. Widths are display columns
/// (`TerminalText.width`: a CJK name takes two per character). Cells are escaped
/// (`TerminalText.escaped`) before they are measured: a control would otherwise
/// move the cursor, and a tab or newline break the columns.
struct Table {
    var headers: [String]
    var rightAligned: Set<Int> = []
    var rows: [[String]] = []

    init(_ headers: [String], rightAligned: Set<Int> = []) {
        self.headers = headers
        self.rightAligned = rightAligned
    }

    mutating func add(_ row: [String]) { self.rows.append(row.map(TerminalText.escaped)) }

    var rendered: String {
        let all = [self.headers] + self.rows
        let widths = self.headers.indices.map { column in
            all.map { column < $0.count ? TerminalText.width($0[column]) : 0 }.max() ?? 0
        }
        return all.map { row in
            let cells = self.headers.indices.map { column -> String in
                let cell = column < row.count ? row[column] : ""
                let padding = String(repeating: " ", count: widths[column] - TerminalText.width(cell))
                if column == self.headers.count - 1, !self.rightAligned.contains(column) { return cell }
                return self.rightAligned.contains(column) ? padding + cell : cell + padding
            }
            return cells.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}

/// `key: value` lines with the values aligned; values escaped, so each stays one line.
func keyValueLines(_ pairs: [(String, String)]) -> String {
    let width = pairs.map(\.0.count).max() ?? 0
    return pairs.map { key, value in
        key + ":" + String(repeating: " ", count: width - key.count + 1) + TerminalText.escaped(value)
    }.joined(separator: "\n")
}
