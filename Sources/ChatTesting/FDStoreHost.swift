// SPDX-License-Identifier: Apache-2.0
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Runs chatd the way systemd runs chatd.service with `FileDescriptorStoreMax=`, for
/// tests on a machine where systemd is not PID 1 (packaging/test-in-vm runs the real
/// thing): the listening sockets and every stored descriptor are passed at each start
/// (`LISTEN_FDS`, `LISTEN_FDNAMES`, `LISTEN_PID`), and a notify socket takes
/// `FDSTORE=1`/`FDSTOREREMOVE=1` with their descriptors. Like systemd, it drops a
/// stored socket once it has hung up, and closes them all when stopped.
public final class FDStoreHost: Sendable {
    public let port: Int
    public let controlSocket: String
    public let capacity: Int
    private let directory: URL
    private let listeners: [Int32]
    private let notify: Int32
    private let redisURL: String
    private let environment: [String: String]
    private let stored = NIOLockedValueBox<[(name: String, fd: Int32)]>([])
    private let running = NIOLockedValueBox<SpawnedProcess?>(nil)
    private let log = NIOLockedValueBox("")
    private let runs = NIOLockedValueBox(0)

    /// Everything every chatd run printed so far.
    public var output: String { self.log.withLockedValue { $0 } }

    public static func start(
        redisURL: String,
        environment: [String: String] = [:],
        capacity: Int = 1000
    ) async throws -> FDStoreHost {
        let host = try FDStoreHost(redisURL: redisURL, environment: environment, capacity: capacity)
        try await host.launch()
        return host
    }

    private init(redisURL: String, environment: [String: String], capacity: Int) throws {
        self.redisURL = redisURL
        self.environment = environment
        self.capacity = capacity
        self.directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "fdstore-\(UUID().uuidString)",
            isDirectory: true
        )
        try FileManager.default.createDirectory(at: self.directory, withIntermediateDirectories: true)
        self.controlSocket = self.directory.appendingPathComponent("control.sock").path
        let chat = try TestSockets.tcpListener(backlog: 4096)
        self.port = TestSockets.localPort(chat)
        self.listeners = [chat, try TestSockets.unixSocket(path: self.controlSocket, backlog: 128)]
        self.notify = try TestSockets.unixSocket(
            path: self.directory.appendingPathComponent("notify.sock").path,
            type: Int32(SOCK_DGRAM.rawValue),
            backlog: nil
        )
        let notify = self.notify
        let stored = self.stored
        Thread.detachNewThread { Self.receive(notify, into: stored) }
    }

    /// Starts chatd with the sockets and what is stored; returns once it is ready.
    private func launch() async throws {
        let kept = self.prune()
        let names = ["chat", "control"] + kept.map(\.name)
        var env = ChatdProcess.environment()
        env["LISTEN_FDS"] = String(names.count)
        env["LISTEN_FDNAMES"] = names.joined(separator: ":")
        env["NOTIFY_SOCKET"] = self.directory.appendingPathComponent("notify.sock").path
        env["FDSTORE"] = String(self.capacity)
        for (key, value) in self.environment { env[key] = value }
        let run = self.runs.withLockedValue {
            $0 += 1
            return $0
        }
        // LISTEN_PID must be chatd's own: the shell's, which exec keeps.
        let (process, log) = try await TestProcess.launch(
            "/bin/sh",
            arguments: ["-c", "LISTEN_PID=$$ exec \"$0\" \"$@\"", productPath("chatd"), "--redis", self.redisURL],
            environment: env,
            descriptors: self.listeners + kept.map(\.fd),
            readyLine: "chatd ready",
            timeout: .seconds(30)
        )
        self.running.withLockedValue { $0 = process }
        let text = log.withLockedValue { $0 }
        self.log.withLockedValue { $0 += "--- run \(run)\n" + text }
        process.outputClosed.whenComplete { _ in
            let rest = log.withLockedValue { String($0.dropFirst(text.count)) }
            self.log.withLockedValue { $0 += rest }
        }
    }

    /// Stops chatd with `signal` (SIGTERM: an orderly stop; SIGKILL: a crash) and starts
    /// it again with what it stored, as `systemctl restart` or `Restart=` does.
    /// `meanwhile` runs while no chatd is running.
    public func restart(signal: Int32 = SIGTERM, meanwhile: () async throws -> Void = {}) async throws {
        try await self.halt(signal)
        try await meanwhile()
        try await self.launch()
    }

    /// Stops chatd and releases the store, as `systemctl stop` does.
    public func stop() async throws {
        try await self.halt(SIGTERM)
        let kept: [(name: String, fd: Int32)] = self.stored.withLockedValue { stored in
            let all = stored
            stored = []
            return all
        }
        for entry in kept { close(entry.fd) }
        shutdown(self.notify, Int32(SHUT_RDWR))
        close(self.notify)
        for listener in self.listeners { close(listener) }
        try? FileManager.default.removeItem(at: self.directory)
    }

    private func halt(_ signal: Int32) async throws {
        guard let process = self.running.withLockedValue({ $0 }) else { return }
        kill(process.pid, signal)
        _ = try await process.exited.get()
        try await process.outputClosed.get()
        self.running.withLockedValue { $0 = nil }
        // What chatd sent before it exited has been received once the socket is empty.
        while Self.pending(self.notify) { usleep(1000) }
    }

    /// Stored descriptors named `name` that are still open at the far end.
    public func storedCount(_ name: String) -> Int {
        self.prune().filter { $0.name == name }.count
    }

    /// Drops stored sockets that hung up or failed (systemd polls them for this).
    private func prune() -> [(name: String, fd: Int32)] {
        self.stored.withLockedValue { stored in
            stored.removeAll { entry in
                var poller = pollfd(fd: entry.fd, events: 0, revents: 0)
                guard poll(&poller, 1, 0) == 1, poller.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 else {
                    return false
                }
                close(entry.fd)
                return true
            }
            return stored
        }
    }

    private static func pending(_ fd: Int32) -> Bool {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&poller, 1, 0) == 1 && poller.revents & Int16(POLLIN) != 0
    }

    /// The notify socket's reader: `FDSTORE=1` keeps the passed descriptors under
    /// `FDNAME=`; `FDSTOREREMOVE=1` closes those of that name; the rest is ignored.
    private static func receive(_ socket: Int32, into stored: NIOLockedValueBox<[(name: String, fd: Int32)]>) {
        var text = [UInt8](repeating: 0, count: 4096)
        var control = [UInt8](repeating: 0, count: 4096)
        while true {
            var fds: [Int32] = []
            let count = text.withUnsafeMutableBytes { textBytes in
                control.withUnsafeMutableBytes { controlBytes -> Int in
                    var vector = iovec(iov_base: textBytes.baseAddress, iov_len: textBytes.count)
                    return withUnsafeMutablePointer(to: &vector) { vectorPointer in
                        var message = msghdr()
                        message.msg_iov = vectorPointer
                        message.msg_iovlen = 1
                        message.msg_control = controlBytes.baseAddress
                        message.msg_controllen = controlBytes.count
                        let count = recvmsg(socket, &message, Int32(MSG_CMSG_CLOEXEC))
                        guard count >= 0 else { return count }
                        // cmsghdr: length (size_t), level, type (Int32 each), then data aligned to 8.
                        var offset = 0
                        while offset + 16 <= message.msg_controllen {
                            let length = controlBytes.load(fromByteOffset: offset, as: Int.self)
                            let level = controlBytes.load(fromByteOffset: offset + 8, as: Int32.self)
                            let type = controlBytes.load(fromByteOffset: offset + 12, as: Int32.self)
                            guard length >= 16 else { break }
                            if level == SOL_SOCKET, type == Int32(SCM_RIGHTS) {
                                for index in 0..<((length - 16) / 4) {
                                    fds.append(
                                        controlBytes.load(fromByteOffset: offset + 16 + index * 4, as: Int32.self)
                                    )
                                }
                            }
                            offset += (length + 7) & ~7
                        }
                        return count
                    }
                }
            }
            if count < 0 {
                if errno == EINTR { continue }
                return
            }
            if count == 0 && fds.isEmpty { return }
            let lines = String(decoding: text[0..<count], as: UTF8.self).split(separator: "\n")
            let name = lines.first { $0.hasPrefix("FDNAME=") }.map { String($0.dropFirst(7)) } ?? "stored"
            if lines.contains("FDSTORE=1") {
                stored.withLockedValue { $0 += fds.map { (name, $0) } }
            } else {
                for fd in fds { close(fd) }
                if lines.contains("FDSTOREREMOVE=1") {
                    stored.withLockedValue { stored in
                        stored.removeAll { entry in
                            guard entry.name == name else { return false }
                            close(entry.fd)
                            return true
                        }
                    }
                }
            }
        }
    }
}
