// SPDX-License-Identifier: Apache-2.0
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One method of the control API (docs/CONTROL.md), declared once for chatd and
/// chatctl: its name, its params and its result. A renamed field is then a compile
/// error at both ends, not a silent `null`.
public protocol ControlMethod {
    associatedtype Params: Codable & Sendable
    associatedtype Result: Codable & Sendable
    static var name: String { get }
    /// A method that changes something is audited (docs/CONTROL.md "Audit").
    static var changes: Bool { get }
}

/// Params of a method that takes none: sent as `{}`, anything given is ignored.
public struct NoParams: Codable, Sendable, Equatable {
    public init() {}
}

/// The methods, by their wire names.
public enum Control {
    /// Every method chatd serves, in the order of docs/CONTROL.md.
    public static var methods: [any ControlMethod.Type] {
        [
            Status.self, Stats.self, SessionsList.self, UsersOnline.self, NodesList.self, UserGet.self, UserList.self,
            SessionKick.self, UserKick.self, UserDisable.self, UserEnable.self, UserAdd.self, UserPasswd.self,
            UserDelete.self, UserImport.self, Broadcast.self, ConfigReload.self,
        ]
    }
}

extension JSONValue {
    /// Any Codable value as JSON: a typed result carried in a `ControlResponse`.
    public init(encoding value: some Encodable) throws {
        self = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(value))
    }

    /// This JSON as a typed value (params or a result).
    public func decoded<T: Decodable>(as type: T.Type = T.self) throws -> T {
        try JSONDecoder().decode(T.self, from: JSONEncoder().encode(self))
    }
}
