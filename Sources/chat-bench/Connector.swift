// SPDX-License-Identifier: Apache-2.0

import ChatProtocol
import Foundation
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// Opens client sockets bound to rotating loopback source addresses (127.0.0.2,
/// .3, …) with IP_BIND_ADDRESS_NO_PORT, so the port is chosen at connect time per
/// (source, destination) pair and one source's ephemeral range is no limit.
struct Connector: Sendable {
    /// Linux's IP_BIND_ADDRESS_NO_PORT (level IPPROTO_IP); Glibc does not export it.
    static let ipBindAddressNoPort: SocketOptionName = 24

    let group: any EventLoopGroup
    let servers: [SocketAddress]
    let sources: [SocketAddress]
    let timeout: TimeAmount

    init(
        group: any EventLoopGroup,
        servers: [SocketAddress],
        sourceCount: Int,
        timeout: TimeAmount = .seconds(10)
    ) throws {
        self.group = group
        self.servers = servers
        self.timeout = timeout
        self.sources = try (0..<max(1, sourceCount)).map { try SocketAddress(ipAddress: "127.0.0.\(2 + $0)", port: 0) }
    }

    /// Source and server for connection `index`: both round-robin.
    func connect(
        index: Int,
        initializer: @escaping @Sendable (any Channel) -> EventLoopFuture<Void>
    ) -> EventLoopFuture<any Channel> {
        let server = self.servers[index % self.servers.count]
        let source = self.sources[index % self.sources.count]
        return ClientBootstrap(group: self.group.next())
            .channelOption(
                ChannelOptions.Types.SocketOption(level: SocketOptionLevel(IPPROTO_IP), name: Self.ipBindAddressNoPort),
                value: 1
            )
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .connectTimeout(self.timeout)
            .bind(to: source)
            .channelInitializer(initializer)
            .connect(to: server)
    }

    /// Parses `HOST:PORT` and refuses anything but a loopback address: the bench
    /// must never load a machine it was not meant for.
    static func loopbackAddress(_ text: String) throws -> SocketAddress {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]) else {
            throw BenchError.usage("expected HOST:PORT, got \(text)")
        }
        var host = String(text[..<colon])
        if host == "localhost" { host = "127.0.0.1" }
        guard host.hasPrefix("127.") || host == "::1" || host == "[::1]" else {
            throw BenchError.usage("\(text) is not a loopback address; the bench only targets loopback")
        }
        return try SocketAddress(ipAddress: host.trimmingCharacters(in: ["[", "]"]), port: port)
    }
}

enum BenchError: Error, CustomStringConvertible {
    case usage(String)
    case failed(String)

    var description: String {
        switch self {
        case .usage(let text), .failed(let text): return text
        }
    }
}
