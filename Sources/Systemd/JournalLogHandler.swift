// SPDX-License-Identifier: Apache-2.0
import CSystemd
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Writes native journal entries with `sd_journal_sendv`, so every metadata key becomes
/// a queryable field and multi-line values stay one entry.
public struct JournalLogHandler: LogHandler {
    public let identifier: String
    public let label: String
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    /// Shared, runtime-changeable level; `logLevel` set on one logger overrides it for that logger.
    public let sharedLevel: LogLevelBox
    private var levelOverride: Logger.Level?

    public init(
        label: String,
        identifier: String,
        level: LogLevelBox,
        metadataProvider: Logger.MetadataProvider? = nil
    ) {
        self.label = label
        self.identifier = identifier
        self.sharedLevel = level
        self.metadataProvider = metadataProvider
    }

    public var logLevel: Logger.Level {
        get { levelOverride ?? sharedLevel.level }
        set { levelOverride = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let fields = JournalEntry.fields(
            identifier: identifier,
            label: label,
            level: event.level,
            message: event.message,
            metadata: mergedMetadata(handler: metadata, provider: metadataProvider, event: event),
            file: event.file,
            function: event.function,
            line: event.line
        )
        // Losing a log line must not take the daemon down; there is nowhere to report it.
        _ = Self.send(fields)
    }

    /// Sends the assignments as one entry; returns libsystemd's result (negative errno on failure).
    static func send(_ fields: [String]) -> CInt {
        // One contiguous buffer keeps every iovec's base pointer valid during the call.
        var bytes: [UInt8] = []
        var ranges: [Range<Int>] = []
        for field in fields {
            let start = bytes.count
            bytes.append(contentsOf: field.utf8)
            ranges.append(start..<bytes.count)
        }
        return bytes.withUnsafeMutableBytes { buffer in
            let iovecs = ranges.map { iovec(iov_base: buffer.baseAddress! + $0.lowerBound, iov_len: $0.count) }
            return iovecs.withUnsafeBufferPointer { sd_journal_sendv($0.baseAddress, CInt($0.count)) }
        }
    }
}

/// Handler metadata, then the provider's, then the call's: later wins (swift-log's rule).
/// An attached error appears as `error` unless the call set that key itself.
func mergedMetadata(
    handler: Logger.Metadata,
    provider: Logger.MetadataProvider?,
    event: LogEvent
) -> Logger.Metadata {
    var merged = handler
    if let provided = provider?.get() { merged.merge(provided) { $1 } }
    if let explicit = event.metadata { merged.merge(explicit) { $1 } }
    if let error = event.error, merged["error"] == nil { merged["error"] = "\(error)" }
    return merged
}
