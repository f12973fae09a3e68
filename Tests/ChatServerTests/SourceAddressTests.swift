// SPDX-License-Identifier: Apache-2.0
import NIOCore
import Testing

@testable import ChatServer

/// What the per-address limits count as one source.
@Suite struct SourceAddressTests {
    func source(_ ip: String) throws -> SourceAddress? {
        SourceAddress(try SocketAddress(ipAddress: ip, port: 4242))
    }

    @Test func ipv4IsItsAddress() throws {
        #expect(try source("192.0.2.7")?.description == "192.0.2.7")
        #expect(try source("192.0.2.7") != source("192.0.2.8"))
    }

    @Test func ipv6CountsPer64() throws {
        #expect(try source("2001:db8:0:1::1") == source("2001:db8:0:1:ffff:ffff:ffff:ffff"))
        #expect(try source("2001:db8:0:1::1") != source("2001:db8:0:2::1"))
        #expect(try source("2001:db8:0:1::1")?.description == "2001:db8:0:1::/64")
    }

    @Test func ipv4MappedIPv6IsIPv4() throws {
        #expect(try source("::ffff:192.0.2.7") == source("192.0.2.7"))
        #expect(try source("::ffff:192.0.2.7") != source("::ffff:192.0.2.8"))
    }

    @Test func unixPeersAreNoSource() throws {
        #expect(SourceAddress(try SocketAddress(unixDomainSocketPath: "/tmp/x.sock")) == nil)
    }
}
