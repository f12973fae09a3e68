// SPDX-License-Identifier: Apache-2.0
import Logging

/// The `FIELD=value` assignments of one journal entry, built without side effects so
/// the mapping can be tested without a journal.
public enum JournalEntry {
    public static func fields(
        identifier: String,
        label: String,
        level: Logger.Level,
        message: Logger.Message,
        metadata: Logger.Metadata,
        file: String,
        function: String,
        line: UInt
    ) -> [String] {
        var fields = [
            "MESSAGE=\(message)",
            "PRIORITY=\(level.syslogPriority)",
            "SYSLOG_IDENTIFIER=\(identifier)",
            "CODE_FILE=\(file)",
            "CODE_LINE=\(line)",
            "CODE_FUNC=\(function)",
            "CHAT_LOGGER=\(label)",
        ]
        // Sorted for a stable order; values may contain newlines, sendv keeps them intact.
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            let field = JournalFieldName.forMetadataKey(key)
            fields.append("\(field)=\(LogRedaction.redact(key: key, value).rendered)")
        }
        return fields
    }
}
