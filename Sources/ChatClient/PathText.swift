// SPDX-License-Identifier: Apache-2.0
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The two path manipulations the client needs, as NSString did them (NSString is
/// in full Foundation only, which would bring ICU's data into the binary).
enum PathText {
    /// A leading `~` or `~user` replaced by that home directory (from the password
    /// database, not $HOME, like Foundation); unchanged when there is no such user.
    /// One trailing slash is dropped from an expanded path, as NSString does.
    static func expandingTilde(_ path: String) -> String {
        guard path.hasPrefix("~") else { return path }
        let nameEnd = path.firstIndex(of: "/") ?? path.endIndex
        let name = path[path.index(after: path.startIndex)..<nameEnd]
        let home =
            name.isEmpty
            ? FileManager.default.homeDirectoryForCurrentUser.path
            : FileManager.default.homeDirectory(forUser: String(name))?.path
        guard let home else { return path }
        var expanded = home + path[nameEnd...]
        if expanded.count > 1 && expanded.hasSuffix("/") { expanded.removeLast() }
        return expanded
    }

    /// The path without its last component: "/a/b/c" → "/a/b", "/a" → "/", "a/b" → "a".
    static func directory(of path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "" }
        var directory = trimmed[..<slash]
        while directory.hasSuffix("/") { directory.removeLast() }
        return directory.isEmpty && path.hasPrefix("/") ? "/" : String(directory)
    }
}
