// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A new password from the terminal (no echo, asked twice) or from stdin.
enum PasswordInput {
    static func fromStdin() throws(ChatctlError) -> String {
        guard let line = readLine(strippingNewline: true), !line.isEmpty else {
            throw .usage("no password on stdin")
        }
        return line
    }

    static func prompt() throws(ChatctlError) -> String {
        guard isatty(STDIN_FILENO) == 1 else {
            throw .usage("stdin is not a terminal: use --password-stdin")
        }
        let first = try self.readHidden("New password: ")
        guard !first.isEmpty else { throw .usage("empty password") }
        let second = try self.readHidden("Retype new password: ")
        guard first == second else { throw .usage("the passwords do not match") }
        return first
    }

    /// Turns echo off for one line; restored even when reading fails.
    private static func readHidden(_ prompt: String) throws(ChatctlError) -> String {
        ProcessOutput.error(prompt)
        var saved = termios()
        guard tcgetattr(STDIN_FILENO, &saved) == 0 else { throw .usage("cannot read the terminal's settings") }
        var silent = saved
        silent.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSADRAIN, &silent)
        defer {
            tcsetattr(STDIN_FILENO, TCSADRAIN, &saved)
            ProcessOutput.error("\n")
        }
        guard let line = readLine(strippingNewline: true) else { throw .usage("no password given") }
        return line
    }
}
