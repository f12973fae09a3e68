// SPDX-License-Identifier: Apache-2.0
import Logging

/// Process-wide logging setup for chatd.
public enum SystemdLogging {
    /// The level every handler made by ``bootstrap(identifier:level:destination:)``
    /// follows; set `SystemdLogging.sharedLevel.level = .debug` (e.g. on SIGHUP) to change it live.
    public static let sharedLevel = LogLevelBox(.info)

    /// Bootstraps swift-log (once per process, as swift-log requires) with the journal or
    /// stderr handler. Returns the destination actually chosen.
    @discardableResult
    public static func bootstrap(
        identifier: String,
        level initial: Logger.Level,
        destination: LogDestination = .auto
    ) -> LogDestination {
        sharedLevel.level = initial
        let chosen = destination == .auto ? LogDestination.detect() : destination
        let shared = sharedLevel
        LoggingSystem.bootstrap(
            { label, provider in
                switch chosen {
                case .journal:
                    JournalLogHandler(label: label, identifier: identifier, level: shared, metadataProvider: provider)
                case .stderr, .auto:
                    StderrLogHandler(label: label, level: shared, metadataProvider: provider)
                }
            },
            metadataProvider: nil
        )
        return chosen
    }
}
