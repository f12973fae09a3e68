// SPDX-License-Identifier: Apache-2.0
import ControlProtocol

/// A request's params, read by name with JSON-RPC "invalid params" errors.
/// Only by-name (object) params are accepted; absent params are an empty object.
struct Params: Sendable {
    let values: [String: JSONValue]

    init(_ params: JSONValue?) throws(ControlError) {
        switch params {
        case nil, .null?: self.values = [:]
        case .object(let object)?: self.values = object
        default: throw .invalidParams("params must be an object")
        }
    }

    func optionalInt(_ key: String) throws(ControlError) -> Int? {
        guard let value = self.present(key) else { return nil }
        guard case .number = value, let int = value.int else { throw .invalidParams("\(key) must be a whole number") }
        return int
    }

    func optionalBool(_ key: String) throws(ControlError) -> Bool? {
        guard let value = self.present(key) else { return nil }
        guard let bool = value.bool else { throw .invalidParams("\(key) must be true or false") }
        return bool
    }

    func optionalString(_ key: String) throws(ControlError) -> String? {
        guard let value = self.present(key) else { return nil }
        guard let string = value.string else { throw .invalidParams("\(key) must be a string") }
        return string
    }

    func string(_ key: String) throws(ControlError) -> String {
        guard let string = try self.optionalString(key) else { throw .invalidParams("\(key) is required") }
        return string
    }

    func optionalStringArray(_ key: String) throws(ControlError) -> [String]? {
        guard let value = self.present(key) else { return nil }
        guard let array = value.array, array.allSatisfy({ $0.string != nil }) else {
            throw .invalidParams("\(key) must be an array of strings")
        }
        return array.compactMap(\.string)
    }

    /// `user_id`, a positive whole number.
    func userID() throws(ControlError) -> Int {
        guard let id = try self.optionalInt("user_id") else { throw .invalidParams("user_id is required") }
        guard id > 0 else { throw .invalidParams("user_id must be positive") }
        return id
    }

    /// The reason a kicked session is shown; an administrator's default otherwise.
    func reason() throws(ControlError) -> String {
        let reason = try self.optionalString("reason") ?? ""
        guard reason.utf8.count <= 1024 else { throw .invalidParams("reason must be at most 1024 bytes") }
        return reason.isEmpty ? "kicked by an administrator" : reason
    }

    private func present(_ key: String) -> JSONValue? {
        guard let value = self.values[key], value != .null else { return nil }
        return value
    }
}
