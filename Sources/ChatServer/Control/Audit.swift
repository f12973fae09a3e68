// SPDX-License-Identifier: Apache-2.0
import ControlProtocol
import Logging

/// The journal entry of one changing control call: who (uid, pid), what (method),
/// on what (target), and how it ended. Never carries params such as passwords.
final class Audit {
    let logger: Logger
    let caller: PeerCredentials
    let method: String
    var target = ""
    var reason: String?

    init(logger: Logger, caller: PeerCredentials, method: String) {
        self.logger = logger
        self.caller = caller
        self.method = method
    }

    func done() {
        self.logger.notice("admin \(self.method) \(self.target)", metadata: self.metadata(outcome: "ok"))
    }

    func failed(_ error: ControlError) {
        var metadata = self.metadata(outcome: "refused")
        metadata["error"] = .string(error.message)
        self.logger.warning("admin \(self.method) \(self.target) failed", metadata: metadata)
    }

    private func metadata(outcome: String) -> Logger.Metadata {
        var metadata: Logger.Metadata = [
            "chat_event": "admin",
            "admin_uid": .stringConvertible(self.caller.uid),
            "admin_pid": .stringConvertible(self.caller.pid),
            "admin_method": .string(self.method),
            "admin_target": .string(self.target),
            "admin_outcome": .string(outcome),
        ]
        if let reason = self.reason { metadata["admin_reason"] = .string(reason) }
        return metadata
    }
}
