// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing

@testable import ChatClient

/// PathText does what NSString's path methods did (its cases checked against them).
@Suite struct PathTextTests {
    @Test func aLeadingTildeIsTheHomeDirectory() throws {
        let home = String(cString: try #require(getpwuid(getuid())).pointee.pw_dir)
        #expect(PathText.expandingTilde("~") == home)
        #expect(PathText.expandingTilde("~/") == home)
        #expect(PathText.expandingTilde("~/.chat/password") == home + "/.chat/password")
        #expect(PathText.expandingTilde("~/dir/") == home + "/dir")
        #expect(
            PathText.expandingTilde("~root/x") == String(cString: try #require(getpwnam("root")).pointee.pw_dir) + "/x"
        )
    }

    @Test func otherPathsStayAsTheyAre() {
        #expect(PathText.expandingTilde("~no-such-user-here/x") == "~no-such-user-here/x")
        #expect(PathText.expandingTilde("/etc/chat/~") == "/etc/chat/~")
        #expect(PathText.expandingTilde("relative/path/") == "relative/path/")
    }

    @Test func directoryOfAPath() {
        #expect(PathText.directory(of: "/a/b/c") == "/a/b")
        #expect(PathText.directory(of: "/a/b/") == "/a")
        #expect(PathText.directory(of: "/a") == "/")
        #expect(PathText.directory(of: "/") == "/")
        #expect(PathText.directory(of: "a/b") == "a")
        #expect(PathText.directory(of: "a") == "")
    }
}
