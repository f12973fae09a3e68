// SPDX-License-Identifier: Apache-2.0
import Foundation
import Systemd
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
    let result: T
    do {
        result = try await body()
    } catch {
        await SystemdNotifier.drain()
        restore(saved)
        throw error
    }
    // A state posted in `body` is sent to the NOTIFY_SOCKET of when it is sent.
    await SystemdNotifier.drain()
    restore(saved)
    return result
}

private func restore(_ saved: [String: String?]) {
    for (name, value) in saved {
        if let value { setenv(name, value, 1) } else { unsetenv(name) }
    }
}

/// Parent of every suite that changes environment variables: they run one at a time.
@Suite(.serialized) enum ProcessEnvironmentTests {}
