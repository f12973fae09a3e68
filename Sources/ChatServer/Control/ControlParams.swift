// SPDX-License-Identifier: Apache-2.0
import ControlProtocol
import Foundation

/// A request's params, decoded into a method's typed `Params` with JSON-RPC "invalid
/// params" errors that name the field. Only by-name (object) params are accepted;
/// absent or `null` params are an empty object, and a `null` field is an absent one.
enum ControlParams {
    /// Checked before the method is looked up: a non-object is refused whatever the method.
    static func object(_ params: JSONValue?) throws(ControlError) -> JSONValue {
        switch params {
        case nil, .null?: return .object([:])
        case .object(let object)?: return .object(object)
        default: throw .invalidParams("params must be an object")
        }
    }

    static func decode<P: Decodable>(_ type: P.Type, from params: JSONValue) throws(ControlError) -> P {
        do {
            return try params.decoded(as: P.self)
        } catch let error as DecodingError {
            throw .invalidParams(Self.describe(error, in: params))
        } catch {
            throw .invalidParams("\(error)")
        }
    }

    /// The wording of the hand-written checks these replace, which clients have seen.
    private static func describe(_ error: DecodingError, in params: JSONValue) -> String {
        if case .keyNotFound(let key, _) = error { return "\(key.stringValue) is required" }
        if case .valueNotFound(_, let context) = error { return "\(Self.field(context)) is required" }
        if case .typeMismatch(let type, let context) = error {
            return "\(Self.field(context)) must be \(Self.expected(type, context))"
        }
        // A number that is no Int (1.5): the only data a decode of our params can find corrupt.
        // Linux's decoder leaves the key out of this error's path: the field is then the
        // number given that is no Int.
        if case .dataCorrupted(let context) = error {
            let notInt = params.object?.filter { if case .number = $0.value { $0.value.int == nil } else { false } }
            let field = context.codingPath.isEmpty ? notInt?.keys.sorted().first ?? "params" : Self.field(context)
            return "\(field) must be a whole number"
        }
        return "\(error)"
    }

    private static func field(_ context: DecodingError.Context) -> String {
        context.codingPath.first?.stringValue ?? "params"
    }

    private static func expected(_ type: Any.Type, _ context: DecodingError.Context) -> String {
        // Inside an array (an element's path is longer): our only array param is of strings.
        if context.codingPath.count > 1 { return "an array of strings" }
        switch type {
        case is Bool.Type: return "true or false"
        case is String.Type: return "a string"
        case is Int.Type, is Int64.Type: return "a whole number"
        default: return "an array of strings"
        }
    }

    /// `user_id`, a positive whole number below 10^15 (JSON numbers beyond are not exact).
    static func userID(_ id: Int) throws(ControlError) -> Int {
        guard id > -1_000_000_000_000_000, id < 1_000_000_000_000_000 else {
            throw .invalidParams("user_id must be a whole number")
        }
        guard id > 0 else { throw .invalidParams("user_id must be positive") }
        return id
    }

    /// The reason a kicked session is shown; an administrator's default otherwise.
    static func reason(_ reason: String?) throws(ControlError) -> String {
        let reason = reason ?? ""
        guard reason.utf8.count <= 1024 else { throw .invalidParams("reason must be at most 1024 bytes") }
        return reason.isEmpty ? "kicked by an administrator" : reason
    }
}
