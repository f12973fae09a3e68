// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import ControlProtocol

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Look after user records in Redis: show, list, add, disable, enable, delete, passwd, import-seed.",
        subcommands: [
            Show.self, List.self, Add.self, Disable.self, Enable.self, Delete.self, Passwd.self, ImportSeed.self,
        ]
    )

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A user's stored record (the password hash is never shown)."
        )
        @ParentCommand var root: Chatctl
        @Argument(help: ArgumentHelp("The user.", valueName: "user-id")) var user: Int

        func run() async throws {
            let reply = try await self.root.client.call(Control.UserGet.self, .init(userID: self.user))
            self.root.show(reply) { result in
                let detail = result.user
                let user = detail.user
                return keyValueLines([
                    ("user id", String(user.userID)),
                    ("username", user.username),
                    ("created", Format.time(user.created)),
                    ("disabled", Format.yesNo(user.disabled)),
                    ("last login", Format.time(user.lastLogin)),
                    ("sessions", String(detail.sessions)),
                    ("password", detail.password),
                    ("token epoch", String(user.tokenEpoch)),
                    ("seed record", Format.yesNo(user.seedRecord)),
                ])
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Every user record, by id (read with SCAN, so a large store is never blocked).",
            discussion: "Seed records not yet imported are not listed; see `chatctl user import-seed`."
        )
        @ParentCommand var root: Chatctl

        func run() async throws {
            // By id, each user once; --json prints each as chatd sent it.
            var byID: [Int: (user: ControlUser, json: JSONValue)] = [:]
            var cursor = "0"
            repeat {
                let page = try await self.root.client.call(Control.UserList.self, .init(cursor: cursor, count: 500))
                for (user, json) in zip(page.result.users, page.json["users"]?.array ?? []) {
                    byID[user.userID] = (user, json)
                }
                cursor = page.result.cursor
            } while cursor != "0"
            let users = byID.keys.sorted().compactMap { byID[$0] }
            self.root.show(json: .object(["users": .array(users.map(\.json))])) {
                var table = Table(["USER", "NAME", "DISABLED", "CREATED", "LAST LOGIN"], rightAligned: [0])
                for user in users.map(\.user) {
                    table.add([
                        String(user.userID), user.username, Format.yesNo(user.disabled),
                        Format.time(user.created), Format.time(user.lastLogin),
                    ])
                }
                return table.rendered
            }
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Add a user (works whether or not `registration` is open): password asked twice without echo, or one line from stdin.",
            discussion:
                "The same rules as a registration: a name of 1 to 64 bytes without control characters; an id never used before."
        )
        @ParentCommand var root: Chatctl
        @Argument(help: ArgumentHelp("The new user's id.", valueName: "user-id")) var user: Int
        @Option(name: .long, help: ArgumentHelp("The name others see.", valueName: "name")) var name: String
        @Flag(
            name: .customLong("password-stdin"),
            help: "Read the password from the first line of stdin (for scripts)."
        )
        var passwordStdin = false

        func run() async throws {
            let password = try self.passwordStdin ? PasswordInput.fromStdin() : PasswordInput.prompt()
            let reply = try await self.root.client.call(
                Control.UserAdd.self,
                .init(userID: self.user, username: self.name, password: password)
            )
            self.root.show(reply) { _ in "user \(self.user) added" }
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Refuse the user's logins and end their live sessions."
        )
        @ParentCommand var root: Chatctl
        @Argument(help: ArgumentHelp("The user.", valueName: "user-id")) var user: Int
        @Option(name: .long, help: ArgumentHelp("Shown to their sessions as they are closed.", valueName: "text"))
        var reason: String?

        func run() async throws {
            let reply = try await self.root.client.call(
                Control.UserDisable.self,
                .init(userID: self.user, reason: self.reason)
            )
            self.root.show(reply) {
                "user \(self.user) disabled (\(Format.plural($0.kicked.count, "session")) kicked)"
            }
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Let a disabled user log in again.")
        @ParentCommand var root: Chatctl
        @Argument(help: ArgumentHelp("The user.", valueName: "user-id")) var user: Int

        func run() async throws {
            let reply = try await self.root.client.call(Control.UserEnable.self, .init(userID: self.user))
            self.root.show(reply) { _ in "user \(self.user) enabled" }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "End the user's sessions, then delete their record, offline inbox and private conversations.",
            discussion:
                "Group history stays: it belongs to the room. The id is never registered again (a tombstone stays in Redis)."
        )
        @ParentCommand var root: Chatctl
        @Argument(help: ArgumentHelp("The user.", valueName: "user-id")) var user: Int

        func run() async throws {
            let reply = try await self.root.client.call(Control.UserDelete.self, .init(userID: self.user))
            self.root.show(reply) {
                "user \(self.user) deleted (\(Format.plural($0.kicked.count, "session")) kicked)"
            }
        }
    }

    struct Passwd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set a user's password (asked twice without echo, or one line from stdin) and end their sessions."
        )
        @ParentCommand var root: Chatctl
        @Argument(help: ArgumentHelp("The user.", valueName: "user-id")) var user: Int
        @Flag(
            name: .customLong("password-stdin"),
            help: "Read the new password from the first line of stdin (for scripts)."
        )
        var passwordStdin = false

        func run() async throws {
            let password = try self.passwordStdin ? PasswordInput.fromStdin() : PasswordInput.prompt()
            let reply = try await self.root.client.call(
                Control.UserPasswd.self,
                .init(userID: self.user, password: password)
            )
            self.root.show(reply) {
                "password of user \(self.user) changed (\(Format.plural($0.kicked.count, "session")) kicked)"
            }
        }
    }

    struct ImportSeed: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import-seed",
            abstract: "Move the seed's `user` hash into chatd's records (passwords hashed, clear text removed)."
        )
        @ParentCommand var root: Chatctl

        func run() async throws {
            let reply = try await self.root.client.call(Control.UserImport.self)
            self.root.show(reply) { "imported \(Format.plural($0.imported, "user")), skipped \($0.skipped)" }
        }
    }
}
