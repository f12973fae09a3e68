// SPDX-License-Identifier: Apache-2.0
import Logging
import NIOConcurrencyHelpers

/// A log level shared by all handlers and changeable at runtime (e.g. on SIGHUP).
/// Handlers read it on every log call, so a change applies to existing loggers too.
public final class LogLevelBox: Sendable {
    private let box: NIOLockedValueBox<Logger.Level>

    public init(_ level: Logger.Level) {
        box = NIOLockedValueBox(level)
    }

    public var level: Logger.Level {
        get { box.withLockedValue { $0 } }
        set { box.withLockedValue { $0 = newValue } }
    }
}
