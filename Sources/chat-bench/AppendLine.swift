// SPDX-License-Identifier: Apache-2.0
import Foundation

func appendLine(_ line: String, to path: String) {
    let data = Data((line + "\n").utf8)
    if let handle = FileHandle(forWritingAtPath: path) {
        handle.seekToEndOfFile()
        handle.write(data)
        handle.closeFile()
    } else {
        _ = FileManager.default.createFile(atPath: path, contents: data)
    }
}
