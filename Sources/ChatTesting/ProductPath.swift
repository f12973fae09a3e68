// SPDX-License-Identifier: Apache-2.0
import Foundation

/// Where `swift build` put the package's executables: beside the test binary,
/// unless `CHATD_BUILD_DIR` says otherwise.
public func productPath(_ name: String) -> String {
    if let directory = ProcessInfo.processInfo.environment["CHATD_BUILD_DIR"] {
        return directory + "/" + name
    }
    let executable =
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    return URL(fileURLWithPath: executable).deletingLastPathComponent().appendingPathComponent(name).path
}
