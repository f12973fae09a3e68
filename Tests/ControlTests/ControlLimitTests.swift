// SPDX-License-Identifier: Apache-2.0
import ChatTesting
import ControlProtocol
import Foundation
import NIOCore
import TestTier
import Testing

@testable import ChatServer

/// The control socket cannot be held down: a cap on open connections, an idle
/// timeout, and rights checked again when the admin policy is reloaded.
@Suite(.timeLimit(.minutes(2)), .integration) struct ControlLimitTests {
    static func status(_ id: Int) -> String { #"{"jsonrpc":"2.0","id":\#(id),"method":"status"}"# }

    @Test func connectionsOverTheCapAreRefused() async throws {
        try await Deployment.with { chatd in
            var held: [HeldControlConnection] = []
            for id in 1...ControlServer.maxConnections {
                var connection = try await HeldControlConnection.connect(chatd.socket)
                try await connection.send(Self.status(id))
                // Answered: chatd has counted it before the next one opens.
                #expect(try JSONValue.decode(await connection.nextLine() ?? "")["id"]?.int == id)
                held.append(connection)
            }
            let refused = try await RawControlConnection.connect(chatd.socket).sendUntilClosed("")
            #expect(refused.count == 1)
            let error = try JSONValue.decode(refused.first ?? "")["error"]
            #expect(error?["code"]?.int == ControlError.Code.unavailable)
            #expect(error?["message"]?.string?.contains("too many control connections") == true)
            let chatctl = try await chatd.chatctl("status")
            #expect(chatctl.status == 1)
            #expect(chatctl.stderr.contains("too many control connections"))

            // One closes: its place is free again (once chatd has seen the close).
            await held.removeFirst().close()
            var admitted = false
            for _ in 0..<100 where !admitted {
                admitted = try await chatd.chatctl("status").status == 0
                if !admitted { try await Task.sleep(for: .milliseconds(50)) }  // between tries, not instead of one
            }
            #expect(admitted)
            for connection in held { await connection.close() }
        }
    }

    @Test func anIdleConnectionIsClosed() async throws {
        // 3 s, not 1: on a loaded machine the test itself may take a second between connecting and asking.
        try await Deployment.with(config: "control_idle_timeout = 3\n") { chatd in
            // One that never asks, and one that asked once and then says nothing.
            let silent = try await HeldControlConnection.connect(chatd.socket)
            var done = try await HeldControlConnection.connect(chatd.socket)
            try await done.send(Self.status(1))
            #expect(try JSONValue.decode(await done.nextLine() ?? "")["id"]?.int == 1)
            for var connection in [silent, done] {
                let lines = await connection.linesUntilClosed()
                #expect(lines.count == 1)
                let error = try JSONValue.decode(lines.first ?? "")["error"]
                #expect(error?["message"]?.string == "closed: no request for 3 s")
            }
            #expect(try await chatd.chatctl("status").status == 0)
        }
    }

    /// nobody is an administrator through admin_group and holds a connection open; a
    /// reload that takes the group away closes it.
    @Test func aReloadClosesConnectionsNoLongerAdmitted() async throws {
        try await Deployment.with(config: "admin_group = nogroup\n") { chatd in
            // perl (perl-base, always on Debian) as uid/gid 65534: asks once, then prints
            // what chatd sends until it closes.
            let script = """
                use IO::Socket::UNIX; $| = 1;
                my $s = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Peer => $ARGV[0]) or die "connect: $!";
                print $s qq({"jsonrpc":"2.0","id":7,"method":"status"}\\n);
                while (my $line = <$s>) { print $line; }
                print "closed\\n";
                """
            let (holder, log) = try await TestProcess.launch(
                "/usr/bin/setpriv",
                arguments: [
                    "--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/perl", "-e", script, chatd.socket,
                ],
                environment: [:],
                readyLine: #""result""#,
                timeout: .seconds(20)
            )
            try "admin_group = no-such-group\n".write(toFile: chatd.configPath, atomically: true, encoding: .utf8)
            #expect(try await chatd.chatctl("reload").status == 0)
            #expect(try await holder.exited.get() == 0)
            let lines = log.withLockedValue { $0 }.split(separator: "\n").map(String.init)
            #expect(lines.count == 3, "\(lines)")
            #expect(
                try JSONValue.decode(lines.count > 1 ? lines[1] : "")["error"]?["code"]?.int
                    == ControlError.Code.permissionDenied
            )
            #expect(lines.last == "closed")
            #expect(chatd.chatd.output.contains("no longer an administrator"))
        }
    }
}
