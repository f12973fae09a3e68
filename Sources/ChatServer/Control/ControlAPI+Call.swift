// SPDX-License-Identifier: Apache-2.0
import ControlProtocol

extension ControlAPI {
    /// One request being served: its params decoded into the method's type, its result
    /// encoded from the method's type, and, for a method that changes something, the
    /// audit entry (also when the params are refused).
    struct Call {
        let api: ControlAPI
        let params: JSONValue
        let caller: PeerCredentials

        func run<M: ControlMethod>(
            _ method: M.Type,
            _ body: (M.Params, Audit) async throws(ControlError) -> M.Result
        ) async throws(ControlError) -> JSONValue {
            let audit = Audit(logger: self.api.logger, caller: self.caller, method: M.name)
            do throws(ControlError) {
                let params = try ControlParams.decode(M.Params.self, from: self.params)
                let result = try await body(params, audit)
                let json: JSONValue
                do { json = try JSONValue(encoding: result) } catch {
                    throw ControlError.internalError("cannot encode the result: \(error)")
                }
                if M.changes { audit.done() }
                return json
            } catch {
                if M.changes { audit.failed(error) }
                throw error
            }
        }
    }
}
