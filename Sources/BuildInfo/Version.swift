// SPDX-License-Identifier: Apache-2.0
/// What chatd, chat, chatctl and chat-bench say they are (`--version`, `chatctl status`).
public enum Version {
    /// The package's version: the top entry of packaging/debian/changelog (VersionTests checks).
    public static let number = "0.1.0"

    /// The git commit this was built from, written by the GitCommit plugin at build time;
    /// nil when built outside a git checkout (a source tarball).
    public static let commit: String? = gitCommit

    /// `0.1.0 (git 1a2b3c4)`, or `0.1.0` without a commit.
    public static var text: String { commit.map { "\(number) (git \($0))" } ?? number }
}
