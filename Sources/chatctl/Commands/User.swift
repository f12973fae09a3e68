// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import ControlProtocol

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Look after user records in Redis: show, list, add, disable, enable, delete, passwd, import-seed.",
        subcommands: [Show.self, List.self, Add.self, Disable.self, Enable.self, Delete.self, Passwd.self, ImportSeed.self])

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A user's stored record (the password hash is never shown).")
        @ParentCommand var root: Chatctl
        @Argument(help: ArgumentHelp("The user.", valueName: "user-id")) var user: Int

        func run() async throws {
            let result = try await self.root.client.call("user.get", ["user_id": .int(self.user)])
            self.root.show(result) { result in
                let user = result["user"] ?? .null
                return keyValueLines([
                    ("user id", user.text("user_id")),
                    ("username", user.text("username")),
                    ("created", Format.time(user["created"]?.int64)),
                    ("disabled", user.text("disabled")),
                    ("last login", Format.time(user["last_login"]?.int64)),
                    ("sessions", user.text("sessions")),
                    ("password", user.text("password")),
                    ("token epoch", user.text("token_epoch")),
                    ("seed record", user.text("seed_record")),
                ])
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Every user record, by id (read with SCAN, so a large store is never blocked).",
            discussion: "Seed records not yet imported are not listed; see `chatctl user import-seed`.")
        @ParentCommand var root: Chatctl

        func run() async throws {
            var byID: [Int: JSONValue] = [:]
            var cursor = "0"
            repeat {
                let page = try await self.root.client.call("user.list", ["cursor": .string(cursor), "count": .int(500)])
                for user in page["users"]?.array ?? [] {
                    if let id = user["user_id"]?.int { byID[id] = user }
                }
                cursor = page["cursor"]?.string ?? "0"
            } while cursor != "0"
            let users = byID.keys.sorted().compactMap { byID[$0] }
            self.root.show(.object(["users": .array(users)])) { _ in
                var table = Table(["USER", "NAME", "DISABLED", "CREATED", "LAST LOGIN"], rightAligned: [0])
                for user in users {
                    table.add([user.text("user_id"), user.text("username"), user.text("disabled"),
                               Format.time(user["created"]?.int64), Format.time(user["last_login"]?.int64)])
                }
                return table.rendered
            }
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a user (works whether or not `registration` is open): password asked twice without echo, or one line from stdin.",
            discussion: "The same rules as a registration: a name of 1 to 64 bytes without control characters; an id never used before.")
        @ParentCommand var root: Chatctl
        @Argument(help: ArgumentHelp("The new user's id.", valueName: "user-id")) var user: Int
        @Option(name: .long, help: ArgumentHelp("The name others see.", valueName: "name")) var name: String
        @Flag(name: .customLong("password-stdin"), help: "Read the password from the first line of stdin (for scripts).")
        var passwordStdin = false

        func run() async throws {
            let password = try self.passwordStdin ? PasswordInput.fromStdin() : PasswordInput.prompt()
            let result = try await self.root.client.call(
                "user.add", ["user_id": .int(self.user), "username": .string(self.name), "password": .string(password)])
            self.root.show(result) { _ in "user \(self.user) added" }
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Refuse the user's logins and end their live sessions.")
        @ParentCommand var root: Chatctl
        @Argument(help: ArgumentHelp("The user.", valueName: "user-id")) var user: Int
        @Option(name: .long, help: ArgumentHelp("Shown to their sessions as they are closed.", valueName: "text"))
        var reason: String?

        func run() async throws {
            var params: [String: JSONValue] = ["user_id": .int(self.user)]
            if let reason { params["reason"] = .string(reason) }
            let result = try await self.root.client.call("user.disable", params)
            self.root.show(result) {
                "user \(self.user) disabled (\(Format.plural($0["kicked"]?.array?.count ?? 0, "session")) kicked)"
            }
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Let a disabled user log in again.")
        @ParentCommand var root: Chatctl
        @Argument(help: ArgumentHelp("The user.", valueName: "user-id")) var user: Int

        func run() async throws {
            let result = try await self.root.client.call("user.enable", ["user_id": .int(self.user)])
            self.root.show(result) { _ in "user \(self.user) enabled" }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "End the user's sessions, then delete their record, offline inbox and private conversations.",
            discussion: "Group history stays: it belongs to the room. The id is never registered again (a tombstone stays in Redis).")
        @ParentCommand var root: Chatctl
        @Argument(help: ArgumentHelp("The user.", valueName: "user-id")) var user: Int

        func run() async throws {
            let result = try await self.root.client.call("user.delete", ["user_id": .int(self.user)])
            self.root.show(result) {
                "user \(self.user) deleted (\(Format.plural($0["kicked"]?.array?.count ?? 0, "session")) kicked)"
            }
        }
    }

    struct Passwd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set a user's password (asked twice without echo, or one line from stdin) and end their sessions.")
        @ParentCommand var root: Chatctl
        @Argument(help: ArgumentHelp("The user.", valueName: "user-id")) var user: Int
        @Flag(name: .customLong("password-stdin"), help: "Read the new password from the first line of stdin (for scripts).")
        var passwordStdin = false

        func run() async throws {
            let password = try self.passwordStdin ? PasswordInput.fromStdin() : PasswordInput.prompt()
            let result = try await self.root.client.call("user.passwd", ["user_id": .int(self.user), "password": .string(password)])
            self.root.show(result) {
                "password of user \(self.user) changed (\(Format.plural($0["kicked"]?.array?.count ?? 0, "session")) kicked)"
            }
        }
    }

    struct ImportSeed: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import-seed",
            abstract: "Move the seed's `user` hash into chatd's records (passwords hashed, clear text removed).")
        @ParentCommand var root: Chatctl

        func run() async throws {
            let result = try await self.root.client.call("user.import")
            self.root.show(result) { "imported \(Format.plural($0["imported"]?.int ?? 0, "user")), skipped \($0.text("skipped"))" }
        }
    }
}
