// SPDX-License-Identifier: Apache-2.0
import ChatClient
import ChatProtocol
import Testing

@Suite struct ExitStatusTests {
    @Test func documentedValues() {
        #expect(ExitStatus.allCases.map(\.rawValue) == [0, 1, 2, 3, 4, 5, 69, 130])
        for status in ExitStatus.allCases {
            #expect(ExitStatus.helpText.contains("  \(status.rawValue) "), "\(status) missing from --help")
        }
    }

    @Test func loginReplies() {
        #expect(ChatFailure.login(LoginResMes(code: 200), user: 1) == nil)
        #expect(ChatFailure.login(LoginResMes(code: 403, error: "wrong password"), user: 1)?.status == .badCredentials)
        #expect(
            ChatFailure.login(LoginResMes(code: 403, error: "this user is disabled"), user: 1)
                == ChatFailure(.badCredentials, "login refused for user 1: this user is disabled")
        )
        #expect(
            ChatFailure.login(LoginResMes(code: 500, error: "no such user, register first"), user: 7)
                == ChatFailure(.badCredentials, "login refused: no such user 7")
        )
        #expect(
            ChatFailure.login(LoginResMes(code: 503, error: "store down"), user: 1)
                == ChatFailure(.refused, "login refused (503): store down")
        )
    }
}
