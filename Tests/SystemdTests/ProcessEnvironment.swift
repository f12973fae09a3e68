// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing

/// Process environment changes. Only tests inside ``ProcessEnvironmentTests`` (serialized)
/// may call this, because the environment is process-global.
@discardableResult
func withEnvironment<T>(_ values: [String: String?], _ body: () async throws -> T) async rethrows -> T {
    var saved: [String: String?] = [:]
    for (name, value) in values {
        saved[name] = getenv(name).map { String(cString: $0) }
        if let value { setenv(name, value, 1) } else { unsetenv(name) }
    }
    defer {
        for (name, value) in saved {
            if let value { setenv(name, value, 1) } else { unsetenv(name) }
        }
    }
    return try await body()
}

/// Parent of every suite that changes environment variables: they run one at a time.
@Suite(.serialized) enum ProcessEnvironmentTests {}
