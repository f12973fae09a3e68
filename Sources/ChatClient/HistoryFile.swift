// SPDX-License-Identifier: Apache-2.0
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// The line editor's history between runs: one entry per line, a line break inside
/// an entry (a paste) written as `\n` and a backslash as `\\`. The file is the
/// user's own (mode 0600, directory 0700): what one typed can be private. It keeps
/// the newest `limit` entries; appends go to the end, and once past the limit it is
/// rewritten (to a temporary file, renamed over it) with only the newest.
public struct HistoryFile: Sendable {
    public struct Failure: Error, Sendable, Equatable {
        public var message: String
    }

    public let path: String
    public let limit: Int
    /// Entries in the file as far as we know (other sessions may append too).
    private var count = 0

    public init(path: String, limit: Int = 1000) {
        self.path = path
        self.limit = limit
    }

    /// `$XDG_STATE_HOME/chat/history`, else `$HOME/.local/state/chat/history`; nil without either.
    public static func path(environment env: [String: String]) -> String? {
        if let xdg = env["XDG_STATE_HOME"], xdg.hasPrefix("/") { return xdg + "/chat/history" }
        if let home = env["HOME"], !home.isEmpty { return home + "/.local/state/chat/history" }
        return nil
    }

    /// The newest `limit` entries, oldest first; none when there is no file yet.
    public mutating func load() throws(Failure) -> [String] {
        var entries = try self.read()
        if entries.count > self.limit {
            entries.removeFirst(entries.count - self.limit)
            try self.replace(entries)
        }
        self.count = entries.count
        return entries
    }

    public mutating func append(_ entries: [String]) throws(Failure) {
        guard !entries.isEmpty else { return }
        try self.createDirectory()
        let fd = open(self.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw self.failure("cannot open") }
        defer { close(fd) }
        fchmod(fd, 0o600)  // an older file, or one made under a loose umask
        try self.writeAll(fd, entries.map(Self.encode).joined())
        self.count += entries.count
        if self.count > self.limit { _ = try self.load() }
    }

    private func read() throws(Failure) -> [String] {
        guard let data = FileManager.default.contents(atPath: self.path) else {
            if FileManager.default.fileExists(atPath: self.path) { throw self.failure("cannot read") }
            return []
        }
        return data.split(separator: UInt8(ascii: "\n")).map {
            Self.decode(Substring(String(decoding: $0, as: UTF8.self)))
        }
    }

    private func replace(_ entries: [String]) throws(Failure) {
        try self.createDirectory()
        let temporary = self.path + ".\(getpid()).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw self.failure("cannot write") }
        do {
            fchmod(fd, 0o600)
            try self.writeAll(fd, entries.map(Self.encode).joined())
            close(fd)
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        guard rename(temporary, self.path) == 0 else {
            let failure = self.failure("cannot replace")
            unlink(temporary)
            throw failure
        }
    }

    private func createDirectory() throws(Failure) {
        // Each missing directory on the way, mode 0700; existing ones are left as they are.
        var made = self.path.hasPrefix("/") ? "" : "."
        for component in PathText.directory(of: self.path).split(separator: "/") {
            made += "/" + component
            guard mkdir(made, 0o700) == 0 || errno == EEXIST else {
                throw Failure(message: "cannot create \(made): \(String(cString: strerror(errno)))")
            }
        }
    }

    private func writeAll(_ fd: Int32, _ text: String) throws(Failure) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw self.failure("cannot write") }
            offset += n
        }
    }

    private func failure(_ what: String) -> Failure {
        Failure(message: "\(what) \(self.path): \(String(cString: strerror(errno)))")
    }

    static func encode(_ entry: String) -> String {
        // By scalar: "\r\n" is one Character, and its "\n" must be escaped too.
        var out = String.UnicodeScalarView()
        for scalar in entry.unicodeScalars {
            switch scalar {
            case "\\": out.append(contentsOf: #"\\"#.unicodeScalars)
            case "\n": out.append(contentsOf: #"\n"#.unicodeScalars)
            default: out.append(scalar)
            }
        }
        return String(out) + "\n"
    }

    static func decode(_ line: Substring) -> String {
        var out = ""
        var escaped = false
        for c in line {
            if escaped {
                out.append(c == "n" ? "\n" : c)
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else {
                out.append(c)
            }
        }
        return out
    }
}
