// SPDX-License-Identifier: Apache-2.0
import ChatTesting
import ControlProtocol
import Foundation
import TestTier
import Testing

@testable import ChatServer

/// Who may use the control socket: checked by chatd on every connection.
@Suite(.integration) struct AccessTests {
    @Test func socketIsCreated0660AndANonAdminIsRefusedEvenWhenItCouldConnect() async throws {
        try await Deployment.with { chatd in
            var info = stat()
            #expect(stat(chatd.socket, &info) == 0)
            #expect(info.st_mode & 0o777 == 0o660)

            // Without write permission on the socket, the kernel already refuses: still 77.
            let blocked = try await Chatctl.run(["status"], socket: chatd.socket, as: Chatctl.nobody)
            #expect(blocked.status == 77)

            // World-writable: nobody can connect, and chatd itself refuses.
            #expect(chmod(chatd.socket, 0o666) == 0)
            for arguments in [["status"], ["--json", "sessions"], ["user", "disable", "1"]] {
                let refused = try await Chatctl.run(arguments, socket: chatd.socket, as: Chatctl.nobody)
                #expect(refused.status == 77)
                #expect(refused.stdout.isEmpty)
                #expect(refused.stderr.hasPrefix("chatctl: permission denied"))
                #expect(refused.stderr.filter { $0 == "\n" }.count == 1)
            }
            // root still gets in.
            #expect(try await chatd.chatctl("status").status == 0)
        }
    }

    @Test func adminGroupAndAdminUsersAdmitAndReloadSwapsThePolicy() async throws {
        try await Deployment.with(config: "admin_group = nogroup\n") { chatd in
            // chatd gave the socket to the admin group: nobody (primary group nogroup) gets in, no chmod.
            var info = stat()
            #expect(stat(chatd.socket, &info) == 0)
            #expect(info.st_gid == 65534)
            #expect(info.st_mode & 0o777 == 0o660)
            #expect(try await Chatctl.run(["status"], socket: chatd.socket, as: Chatctl.nobody).status == 0)

            // By uid (admin_users), after a reload.
            try "admin_group = no-such-group\nadmin_users = nobody\n".write(
                toFile: chatd.configPath,
                atomically: true,
                encoding: .utf8
            )
            let reload = try await chatd.chatctl("reload")
            #expect(reload.status == 0)
            #expect(reload.stdout == "configuration reloaded\n")
            #expect(try await Chatctl.run(["users"], socket: chatd.socket, as: Chatctl.nobody).status == 0)

            // Neither: the socket still lets nobody connect, chatd refuses.
            try "admin_group = no-such-group\n".write(toFile: chatd.configPath, atomically: true, encoding: .utf8)
            let json = try await chatd.chatctl("--json", "reload").json
            #expect(json["reloaded"]?.bool == true)
            #expect(json["needs_restart"]?.array == [])
            let refused = try await Chatctl.run(["users"], socket: chatd.socket, as: Chatctl.nobody)
            #expect(refused.status == 77)
            #expect(refused.stderr.hasPrefix("chatctl: permission denied"))

            // A broken file changes nothing and says why.
            try "admin_users = nobody\nbogus_key = 1\n".write(
                toFile: chatd.configPath,
                atomically: true,
                encoding: .utf8
            )
            let broken = try await chatd.chatctl("reload")
            #expect(broken.status == 1)
            #expect(broken.stderr.contains("unknown key"))
            #expect(try await Chatctl.run(["users"], socket: chatd.socket, as: Chatctl.nobody).status == 77)
        }
    }

    @Test func policyRules() {
        let policy = AdminPolicy(uids: [1000], gids: [500])
        #expect(policy.allows(PeerCredentials(pid: 1, uid: 0, gid: 0), groups: []))
        #expect(policy.allows(PeerCredentials(pid: 1, uid: 1000, gid: 1000), groups: []))
        #expect(policy.allows(PeerCredentials(pid: 1, uid: 1001, gid: 500), groups: []))
        #expect(policy.allows(PeerCredentials(pid: 1, uid: 1001, gid: 1001), groups: [20, 500]))
        #expect(!policy.allows(PeerCredentials(pid: 1, uid: 1001, gid: 1001), groups: [20]))
        #expect(!AdminPolicy().allows(PeerCredentials(pid: 1, uid: 65534, gid: 65534), groups: [65534]))
    }

    @Test func policyResolvesNamesAndNumbers() {
        let (policy, warnings) = AdminPolicy.resolve(group: "root", users: ["nobody", "4242", "no-such-user-x"])
        #expect(policy.gids == [0])
        #expect(policy.uids == [65534, 4242])
        #expect(warnings == [#"admin user "no-such-user-x" does not exist"#])
        let (none, groupWarnings) = AdminPolicy.resolve(group: "no-such-group-x", users: [])
        #expect(none == AdminPolicy())
        #expect(groupWarnings.count == 1)
        // root's groups from the group database include its primary group.
        #expect(UserDatabase.groups(ofUID: 0, primary: 0).contains(0))
    }
}
