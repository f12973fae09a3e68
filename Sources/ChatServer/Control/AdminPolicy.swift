// SPDX-License-Identifier: Apache-2.0
import Foundation
import NIOConcurrencyHelpers
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// Who may use the control API: root always, plus the configured uids and gids.
/// A peer is allowed when its uid is listed, or its primary gid or one of its
/// supplementary groups is.
public struct AdminPolicy: Sendable, Equatable {
    public var uids: Set<UInt32>
    public var gids: Set<UInt32>

    public init(uids: Set<UInt32> = [], gids: Set<UInt32> = []) {
        self.uids = uids
        self.gids = gids
    }

    /// Resolves config names: `group` (admin_group) to a gid, `users` (admin_users,
    /// names or numeric uids) to uids. What cannot be resolved allows nobody and is
    /// returned as a warning, so a missing group never stops chatd.
    public static func resolve(group: String, users: [String]) -> (policy: AdminPolicy, warnings: [String]) {
        var policy = AdminPolicy()
        var warnings: [String] = []
        if !group.isEmpty {
            if let gid = Self.groupID(group) {
                policy.gids.insert(gid)
            } else {
                warnings.append("admin group \"\(group)\" does not exist: no one is admitted by group")
            }
        }
        for user in users {
            if let uid = UInt32(user) ?? UserDatabase.uid(ofUser: user) {
                policy.uids.insert(uid)
            } else {
                warnings.append("admin user \"\(user)\" does not exist")
            }
        }
        return (policy, warnings)
    }

    /// The gid of a group name (or a numeric gid), nil when there is no such group.
    public static func groupID(_ name: String) -> UInt32? {
        name.isEmpty ? nil : UInt32(name) ?? UserDatabase.gid(ofGroup: name)
    }

    /// `groups` are the peer's supplementary groups.
    public func allows(_ peer: PeerCredentials, groups: [UInt32]) -> Bool {
        if peer.uid == 0 || self.uids.contains(peer.uid) || self.gids.contains(peer.gid) { return true }
        return groups.contains { self.gids.contains($0) }
    }

    /// Whether a peer could pass on groups at all: saves the group lookup when not.
    var checksGroups: Bool { !self.gids.isEmpty }
}

/// The policy in force; swapped whole on reload, read at each connection. Whoever
/// watches it (the control server, to check open connections again) hears of each swap.
public final class AdminPolicyBox: Sendable {
    private struct State {
        var policy: AdminPolicy
        var observers: [@Sendable (AdminPolicy) -> Void] = []
    }

    private let box: NIOLockedValueBox<State>

    public init(_ policy: AdminPolicy) { self.box = NIOLockedValueBox(State(policy: policy)) }

    /// Setting it tells every observer, even when the value is the same: group
    /// membership may have changed under an unchanged admin_group.
    public var current: AdminPolicy {
        get { self.box.withLockedValue { $0.policy } }
        set {
            let observers = self.box.withLockedValue { state in
                state.policy = newValue
                return state.observers
            }
            for observer in observers { observer(newValue) }
        }
    }

    func onChange(_ observer: @escaping @Sendable (AdminPolicy) -> Void) {
        self.box.withLockedValue { $0.observers.append(observer) }
    }
}

/// Lookups in the passwd and group databases (NSS). They may block: call them
/// off the event loops, on `pool`.
enum UserDatabase {
    /// Their own threads: NIOThreadPool.singleton runs the scrypt hashes, and a flood
    /// of logins must not keep an administrator waiting at the door.
    static let pool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 2)
        pool.start()
        return pool
    }()

    static func gid(ofGroup name: String) -> UInt32? {
        var group = Glibc.group()
        var result: UnsafeMutablePointer<Glibc.group>?
        return withBuffer { buffer, size in
            switch getgrnam_r(name, &group, buffer, size, &result) {
            case 0: break
            case ERANGE: return .retry
            default: return .done(nil)
            }
            return .done(result == nil ? nil : group.gr_gid)
        }
    }

    static func uid(ofUser name: String) -> UInt32? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        return withBuffer { buffer, size in
            switch getpwnam_r(name, &entry, buffer, size, &result) {
            case 0: break
            case ERANGE: return .retry
            default: return .done(nil)
            }
            return .done(result == nil ? nil : entry.pw_uid)
        }
    }

    /// The supplementary groups the group database gives `uid` (as at login).
    /// SO_PEERGROUPS would give the peer's live groups, but NIO reads socket options
    /// into fixed-size values and cannot tell a short list from a gid 0.
    static func groups(ofUID uid: UInt32, primary gid: UInt32) -> [UInt32] {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        let name: String? = withBuffer { buffer, size in
            switch getpwuid_r(uid, &entry, buffer, size, &result) {
            case 0: break
            case ERANGE: return .retry
            default: return .done(nil)
            }
            return .done(result == nil ? nil : String(cString: entry.pw_name))
        }
        guard let name else { return [] }
        var count: Int32 = 64
        while true {
            var groups = [gid_t](repeating: 0, count: Int(count))
            let previous = count
            if getgrouplist(name, gid, &groups, &count) >= 0 {
                return Array(groups.prefix(Int(count)))
            }
            // Too small: `count` now holds the size needed (glibc).
            guard count > previous, count < 65_536 else { return [] }
        }
    }

    private enum Step<T> {
        case done(T?)
        case retry
    }

    /// Calls `body` with a growing buffer while it reports ERANGE.
    private static func withBuffer<T>(_ body: (UnsafeMutablePointer<CChar>, Int) -> Step<T>) -> T? {
        var size = 1024
        while size <= 1 << 20 {
            let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: size)
            defer { buffer.deallocate() }
            switch body(buffer, size) {
            case .done(let value): return value
            case .retry: size *= 4
            }
        }
        return nil
    }
}
