// SPDX-License-Identifier: Apache-2.0
import CSystemd

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// systemd's file descriptor store (`FileDescriptorStoreMax=`): descriptors handed to the
/// service manager survive this process and are passed back, by name, to the next one
/// (`LISTEN_FDS`/`LISTEN_FDNAMES`) — across a restart, a crash or an upgrade.
///
/// systemd drops a stored socket by itself once it sees POLLHUP or POLLERR on it, so a
/// connection that ends needs no `FDSTOREREMOVE`: shutting it down is enough.
public struct FileDescriptorStore: Sendable {
    /// How many descriptors systemd keeps for this service (`$FDSTORE`).
    public let capacity: Int

    /// nil unless running under a notify unit that keeps a store: `$FDSTORE` (set by
    /// systemd ≥ 254 itself, and by chatd's unit for older ones) and `$NOTIFY_SOCKET`.
    public init?() {
        guard SystemdEnvironment.value(SystemdEnvironment.notifySocket) != nil,
            let value = SystemdEnvironment.value(SystemdEnvironment.fdStore), let capacity = Int(value), capacity > 0
        else { return nil }
        self.capacity = capacity
    }

    /// `FDSTORE=1` with `FDNAME=name`: systemd keeps a duplicate of `fd`; this process
    /// keeps its own. Names may repeat; a name is 1–255 printable ASCII characters, no `:`.
    @discardableResult public func store(_ fd: CInt, name: String) -> Bool {
        var descriptor = fd
        return sd_pid_notify_with_fds(0, 0, "FDSTORE=1\nFDNAME=\(name)", &descriptor, 1) > 0
    }

    /// `FDSTOREREMOVE=1`: systemd closes every descriptor it keeps under `name`.
    @discardableResult public func remove(name: String) -> Bool {
        sd_notify(0, "FDSTOREREMOVE=1\nFDNAME=\(name)") > 0
    }
}
