import Logging
import NIOConcurrencyHelpers

/// Installs the log handler once, and lets the level change on reload.
struct LoggingSetup: Sendable {
    let level: NIOLockedValueBox<Logger.Level>

    static func bootstrap(_ config: ChatdConfig) -> LoggingSetup {
        let level = NIOLockedValueBox(config.logLevel)
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level.withLockedValue { $0 }
            return handler
        }
        return LoggingSetup(level: level)
    }

    func setLevel(_ level: Logger.Level) {
        self.level.withLockedValue { $0 = level }
    }
}
