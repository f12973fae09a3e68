// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import NIOCore

/// Options every chat scenario shares.
struct CommonOptions: ParsableArguments {
    @Option(
        name: .customLong("server"),
        help: "chatd address HOST:PORT, loopback only; repeat for several nodes (sessions round-robin)."
    )
    var servers: [String] = ["127.0.0.1:8889"]

    @Option(
        name: .customLong("chatd-pid"),
        help: "PID of a chatd to read VmRSS from (/proc/PID/status); repeat for several nodes (RSS is summed)."
    )
    var chatdPIDs: [Int32] = []

    @Option(
        name: [.customShort("n"), .customLong("sessions")],
        help: "Number of sessions (one TCP connection and one user each)."
    )
    var sessions = 1000

    @Option(
        help: "Loopback source addresses to spread connections over: 127.0.0.2, .3, … (with IP_BIND_ADDRESS_NO_PORT)."
    )
    var sources = 8

    @Option(help: "Event-loop threads of the bench (default: the number of cores).")
    var threads = System.coreCount

    @Option(help: "First user id; sessions use ids user-base … user-base+N-1, named bench<id>.")
    var userBase = 1_000_000

    @Option(help: "Password of every bench user.")
    var password = "bench-password"

    @Flag(help: "Register the users first (an already registered id is fine, but costs the server a hash).")
    var register = false

    @Option(help: "With --register: the first K users exist already; register only the rest.")
    var registered = 0

    @Option(help: "Connections, registrations or logins in flight at once.")
    var window = 256

    @Option(help: "Seconds a connect or a single request (register, login) may take.")
    var requestTimeout = 60

    @Option(help: "Seconds to let the server settle after the logins before RSS at N is read.")
    var settle = 2.0

    @Option(help: "Hard limit on the whole run in seconds: the bench stops by itself (exit 3).")
    var maxTime = 900.0

    @Option(help: "Append the JSON line to this file too.")
    var json: String?

    @Flag(help: "No progress lines on stderr.")
    var quiet = false

    func validate() throws {
        guard self.sessions >= 1 else { throw ValidationError("--sessions must be at least 1") }
        guard (1...250).contains(self.sources) else {
            throw ValidationError("--sources must be 1…250 (127.0.0.2…127.0.0.251)")
        }
        guard self.window >= 1, self.threads >= 1 else {
            throw ValidationError("--window and --threads must be at least 1")
        }
    }
}

/// Options of the scenarios that send messages.
struct TrafficOptions: ParsableArguments {
    @Option(help: "Number of sessions that send.")
    var senders = 10

    @Option(help: "Total messages per second over all senders.")
    var rate = 100.0

    @Option(help: "Seconds of sending.")
    var duration = 10.0

    @Option(help: "Bytes of message content (the send time, then padding).")
    var size = 100

    @Option(help: "Seconds to wait for deliveries after the last send.")
    var drain = 10.0

    func validate() throws {
        guard self.senders >= 1, self.rate > 0, self.duration > 0 else {
            throw ValidationError("--senders, --rate and --duration must be positive")
        }
        guard self.size >= 32 else {
            throw ValidationError("--size must be at least 32 (the send time is carried in it)")
        }
    }
}
