// SPDX-License-Identifier: Apache-2.0
import ControlProtocol
import Foundation
import Testing

/// The methods declared in ControlProtocol against docs/CONTROL.md, with no chatd: every
/// params and result survives JSON, the names are the documented ones, and the doc's
/// example params and results decode into the declared types and encode back unchanged.
@Suite struct ControlMethodTests {
    /// One sample call per method; a method added without one fails `everyMethodHasASample`.
    static var samples: [String: () throws -> Void] {
        [
            Control.Status.name: {
                try roundTrip(
                    Control.Status.self,
                    NoParams(),
                    .init(
                        sessions: 3,
                        usersOnline: 2,
                        connections: 4,
                        redis: "up",
                        uptimeSeconds: 3600,
                        pid: 812,
                        version: "0.1.0",
                        commit: nil
                    )
                )
            },
            Control.Stats.name: {
                try roundTrip(
                    Control.Stats.self,
                    .init(allNodes: true),
                    .init(
                        sessions: 4,
                        usersOnline: 4,
                        connections: 5,
                        connectionsNotLoggedIn: 1,
                        messagesIn: 4,
                        messagesOut: 12,
                        nodes: [
                            .init(
                                sessions: 4,
                                usersOnline: 4,
                                connections: 5,
                                connectionsNotLoggedIn: 1,
                                messagesIn: 4,
                                messagesOut: 12,
                                redis: "up",
                                uptimeSeconds: 9,
                                node: "3d78"
                            )
                        ],
                        nodesAnswered: ["3d78"],
                        nodesMissing: ["8397"]
                    )
                )
            },
            Control.SessionsList.name: {
                try roundTrip(Control.SessionsList.self, .init(userID: 42), .init(sessions: [session]))
            },
            Control.UsersOnline.name: {
                try roundTrip(
                    Control.UsersOnline.self,
                    NoParams(),
                    .init(
                        users: [.init(userID: 42, username: "alice", sessions: 2)])
                )
            },
            Control.NodesList.name: {
                try roundTrip(
                    Control.NodesList.self,
                    NoParams(),
                    .init(nodes: [
                        .init(
                            node: "3f2a",
                            thisNode: true,
                            address: nil,
                            version: "0.1.0",
                            sessions: 120,
                            users: nil,
                            started: 1764,
                            lastHeartbeat: 1765
                        )
                    ])
                )
            },
            Control.UserGet.name: {
                try roundTrip(
                    Control.UserGet.self,
                    .init(userID: 42),
                    .init(
                        user: .init(user: user, sessions: 2)
                    )
                )
            },
            Control.UserList.name: {
                try roundTrip(
                    Control.UserList.self,
                    .init(cursor: "0", count: 100),
                    .init(
                        users: [user],
                        cursor: "17"
                    )
                )
            },
            Control.SessionKick.name: {
                try roundTrip(
                    Control.SessionKick.self,
                    .init(sessionIDs: ["1a2b"], reason: "spam"),
                    .init(
                        kicked: ["1a2b"],
                        notFound: []
                    )
                )
            },
            Control.UserKick.name: {
                try roundTrip(
                    Control.UserKick.self,
                    .init(userID: 42, reason: "spam"),
                    .init(
                        userID: 42,
                        kicked: ["1a2b"]
                    )
                )
            },
            Control.UserDisable.name: {
                try roundTrip(Control.UserDisable.self, .init(userID: 42), .init(userID: 42, kicked: []))
            },
            Control.UserEnable.name: { try roundTrip(Control.UserEnable.self, .init(userID: 42), .init(userID: 42)) },
            Control.UserAdd.name: {
                try roundTrip(
                    Control.UserAdd.self,
                    .init(userID: 42, username: "alice", password: "pw"),
                    .init(
                        userID: 42,
                        username: "alice"
                    )
                )
            },
            Control.UserPasswd.name: {
                try roundTrip(
                    Control.UserPasswd.self,
                    .init(userID: 42, password: "pw"),
                    .init(
                        userID: 42,
                        kicked: ["1a2b"]
                    )
                )
            },
            Control.UserDelete.name: {
                try roundTrip(
                    Control.UserDelete.self,
                    .init(userID: 42),
                    .init(
                        userID: 42,
                        kicked: [],
                        inboxDeleted: true,
                        conversationsDeleted: 3
                    )
                )
            },
            Control.UserImport.name: {
                try roundTrip(Control.UserImport.self, NoParams(), .init(imported: 3, skipped: 1))
            },
            Control.Broadcast.name: {
                try roundTrip(Control.Broadcast.self, .init(text: "restart at 17:00"), .init(recipients: 12))
            },
            Control.ConfigReload.name: {
                try roundTrip(Control.ConfigReload.self, NoParams(), .init(needsRestart: ["listen"]))
            },
        ]
    }

    static let session = ControlSession(
        sessionID: "1a2b3c4d5e6f",
        userID: 42,
        username: "alice",
        peer: "10.0.0.7:51234",
        connectedAt: 1_795_446_146_877,
        idleSeconds: 12,
        messagesIn: 31,
        messagesOut: 57
    )
    static let user = ControlUser(
        userID: 42,
        username: "alice",
        created: 1_795_446_146_877,
        disabled: false,
        lastLogin: nil,
        tokenEpoch: 0,
        seedRecord: false
    )

    static func roundTrip<M: ControlMethod>(_ method: M.Type, _ params: M.Params, _ result: M.Result) throws
    where M.Params: Equatable, M.Result: Equatable {
        #expect(try JSONValue(encoding: params).decoded(as: M.Params.self) == params, "\(M.name) params")
        #expect(try JSONValue(encoding: result).decoded(as: M.Result.self) == result, "\(M.name) result")
    }

    @Test func everyMethodsParamsAndResultSurviveJSON() throws {
        for (_, sample) in Self.samples { try sample() }
    }

    @Test func everyMethodHasASample() {
        #expect(Set(Self.samples.keys) == Set(Control.methods.map { $0.name }))
        #expect(Control.methods.count == Set(Control.methods.map { $0.name }).count, "a name declared twice")
    }

    @Test func theDeclaredMethodsAreTheDocumentedOnes() throws {
        let documented = try Self.documentedMethods().map(\.name)
        #expect(documented == Control.methods.map { $0.name })
        // Audited exactly when the doc lists the method under "Changing (audited)".
        let changing = try Self.documentedMethods().filter(\.changes).map(\.name)
        #expect(changing == Control.methods.filter { $0.changes }.map { $0.name })
    }

    /// Absent means null for some fields and left out for others: clients read both.
    @Test func nullFieldsAreSentAsNullAndAbsentOnesAreLeftOut() throws {
        let user = try JSONValue(encoding: Self.user)
        #expect(user["last_login"] == .null)
        let status = try JSONValue(
            encoding: Control.Status.Result(
                sessions: 0,
                usersOnline: 0,
                connections: 0,
                redis: "up",
                uptimeSeconds: 0,
                pid: 1,
                version: "0",
                commit: nil
            )
        )
        #expect(status["commit"] == .null)
        let stats = try JSONValue(
            encoding: ControlStats(
                sessions: 0,
                usersOnline: 0,
                connections: 0,
                connectionsNotLoggedIn: 0,
                messagesIn: 0,
                messagesOut: 0,
                redis: "up",
                uptimeSeconds: 1
            )
        )
        #expect(
            Set(stats.object?.keys.map { $0 } ?? []) == [
                "sessions", "users_online", "connections", "connections_not_logged_in", "messages_in", "messages_out",
                "redis", "uptime_seconds",
            ]
        )
        #expect(try JSONValue(encoding: Self.session)["node"] == nil)
        #expect(try JSONValue(encoding: NoParams()) == .object([:]))
    }

    /// Each documented example that is whole JSON (no "…") is what the declared types
    /// read and write: a field renamed on one side only fails here.
    @Test func theDocumentedExamplesDecodeIntoTheDeclaredTypes() throws {
        var checked = 0
        for row in try Self.documentedMethods() {
            let method = try #require(Control.methods.first { $0.name == row.name })
            if let params = row.params {
                try Self.check(method, params: params)
                checked += 1
            }
            if let result = row.result {
                try Self.check(method, result: result)
                checked += 1
            }
        }
        #expect(checked >= 15)
    }

    static func check<M: ControlMethod>(_ method: M.Type, params: JSONValue) throws {
        #expect(try JSONValue(encoding: params.decoded(as: M.Params.self)) == params, "\(M.name) params")
    }

    static func check<M: ControlMethod>(_ method: M.Type, result: JSONValue) throws {
        #expect(try JSONValue(encoding: result.decoded(as: M.Result.self)) == result, "\(M.name) result")
    }

    struct DocumentedMethod {
        var name: String
        var changes: Bool
        var params: JSONValue?
        var result: JSONValue?
    }

    /// The rows of the method tables under "## Methods": `| `name` | params | result |`.
    static func documentedMethods() throws -> [DocumentedMethod] {
        let doc = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/CONTROL.md")
        let text = try String(contentsOf: doc, encoding: .utf8)
        var methods: [DocumentedMethod] = []
        var inMethods = false
        var changes = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("## ") { inMethods = line == "## Methods" }
            if line.hasPrefix("Changing") { changes = true }
            guard inMethods, line.hasPrefix("| `") else { continue }
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 3 else { continue }
            methods.append(
                DocumentedMethod(
                    name: Self.firstCode(cells[0]) ?? "",
                    changes: changes,
                    params: Self.firstCode(cells[1]).flatMap(Self.json),
                    result: Self.firstCode(cells[2]).flatMap(Self.json)
                )
            )
        }
        return methods
    }

    private static func firstCode(_ cell: String) -> String? {
        let parts = cell.split(separator: "`", omittingEmptySubsequences: false)
        return parts.count >= 3 ? String(parts[1]) : nil
    }

    private static func json(_ text: String) -> JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }
}
