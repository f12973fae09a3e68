// SPDX-License-Identifier: Apache-2.0
import ChatTesting
import Foundation
import Testing

@testable import Systemd

@Suite struct ListenFDKindTests {
    @Test func classifiesRealSockets() throws {
        let dir = try TestSockets.temporaryDirectory()
        defer { TestSockets.removeDirectory(dir) }
        let tcp = try TestSockets.tcpListener(backlog: 16)
        let tcpUnlistened = try TestSockets.tcpListener(backlog: nil)
        let unix = try TestSockets.unixSocket(path: dir + "/s", backlog: 16)
        let datagram = try TestSockets.unixSocket(path: dir + "/d", type: Int32(SOCK_DGRAM.rawValue), backlog: nil)
        var pipeFDs: [CInt] = [0, 0]
        #expect(pipe(&pipeFDs) == 0)
        defer { for fd in [tcp, tcpUnlistened, unix, datagram] + pipeFDs { close(fd) } }

        #expect(ListenFD(fd: tcp, name: "chat").kind == .tcpListener)
        #expect(ListenFD(fd: unix, name: "control").kind == .unixListener)
        #expect(ListenFD(fd: tcpUnlistened, name: "x").kind == .otherSocket)
        #expect(ListenFD(fd: datagram, name: "x").kind == .otherSocket)
        #expect(ListenFD(fd: pipeFDs[0], name: "x").kind == .notASocket)
    }
}

@Suite struct ListenFDExpectationTests {
    /// Real sockets named as a unit would name them.
    final class Fixture {
        let dir: String
        let chat, tls, control: ListenFD
        init() throws {
            dir = try TestSockets.temporaryDirectory()
            chat = ListenFD(fd: try TestSockets.tcpListener(backlog: 8), name: "chat")
            tls = ListenFD(fd: try TestSockets.tcpListener(backlog: 8), name: "chat-tls")
            control = ListenFD(fd: try TestSockets.unixSocket(path: dir + "/control", backlog: 8), name: "control")
        }
        deinit {
            for fd in [chat, tls, control] { close(fd.fd) }
            TestSockets.removeDirectory(dir)
        }
        func named(_ fd: ListenFD, _ name: String) -> ListenFD { ListenFD(fd: fd.fd, name: name) }
    }

    let required: [String: ListenFD.Kind] = ["chat": .tcpListener, "control": .unixListener]
    let optional: [String: ListenFD.Kind] = ["chat-tls": .tcpListener]

    @Test func acceptsRequiredWithAndWithoutOptional() throws {
        let f = try Fixture()
        let two = try [f.chat, f.control].expect(names: required, optional: optional)
        #expect(two == ["chat": f.chat, "control": f.control])
        let three = try [f.control, f.tls, f.chat].expect(names: required, optional: optional)
        #expect(three["chat-tls"] == f.tls)
    }

    @Test func reportsEachKindOfMismatch() throws {
        let f = try Fixture()
        #expect(throws: ListenFDsError.unexpectedCount(got: 1, expectedAtLeast: 2, atMost: 3)) {
            try [f.chat].expect(names: required, optional: optional)
        }
        #expect(throws: ListenFDsError.unexpectedCount(got: 0, expectedAtLeast: 2, atMost: 2)) {
            try [].expect(names: required)
        }
        let stray = f.named(f.tls, "admin")
        #expect(throws: ListenFDsError.unexpectedName(stray)) {
            try [f.chat, f.control, stray].expect(names: required, optional: optional)
        }
        let twin = f.named(f.tls, "chat")
        #expect(throws: ListenFDsError.duplicateName("chat")) {
            try [f.chat, twin, f.control].expect(names: required, optional: optional)
        }
        #expect(throws: ListenFDsError.missing(names: ["control"])) {
            try [f.chat, f.tls].expect(names: required, optional: optional)
        }
        let swapped = [f.named(f.control, "chat"), f.named(f.chat, "control")]
        do {
            _ = try swapped.expect(names: required)
            Issue.record("swapped sockets accepted")
        } catch {
            #expect(error == .wrongKind(swapped[0], expected: .tcpListener))
            #expect(
                error.description
                    == "fd \(f.control.fd) named 'chat' is not a listening TCP socket (it is a listening Unix stream socket)"
            )
        }
    }
}

extension ProcessEnvironmentTests {
    @Suite struct ListenFDsEnvironmentTests {
        @Test func nothingPassedMeansEmpty() async throws {
            try await withEnvironment(["LISTEN_FDS": nil, "LISTEN_PID": nil, "LISTEN_FDNAMES": nil]) {
                let fds = try ListenFDs.take()
                #expect(fds.isEmpty)
            }
        }

        @Test func socketsForAnotherProcessAreIgnoredAndTheEnvironmentCleared() async throws {
            try await withEnvironment(["LISTEN_FDS": "2", "LISTEN_PID": "\(getpid() + 1)", "LISTEN_FDNAMES": "a:b"]) {
                let fds = try ListenFDs.take()
                #expect(fds.isEmpty)
                #expect(getenv("LISTEN_FDS") == nil && getenv("LISTEN_PID") == nil && getenv("LISTEN_FDNAMES") == nil)
            }
        }

        @Test func malformedVariablesAreATypedError() async throws {
            await withEnvironment(["LISTEN_FDS": "many", "LISTEN_PID": "\(getpid())", "LISTEN_FDNAMES": nil]) {
                #expect(throws: ListenFDsError.environment(errno: EINVAL)) { try ListenFDs.take() }
            }
        }
    }
}
