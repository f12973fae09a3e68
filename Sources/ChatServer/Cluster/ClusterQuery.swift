// SPDX-License-Identifier: Apache-2.0
import ChatStore
import ControlProtocol
import Foundation
import Logging

/// What a question to every node asks.
enum ClusterAsk: Sendable, Equatable {
    /// The live sessions, of one user if given.
    case sessions(user: Int?)
    case stats
}

/// The answers to one question: each node's part (a JSON object with its `node`), and
/// the live nodes that did not answer in time (stopped, cut off, or too old to know
/// the question).
struct ClusterAnswers: Sendable {
    var parts: [String: [String: JSONValue]]
    var missing: [String]
}

/// Questions to every live node over the bus (`BusMessage.Kind.query`), and this
/// node's answers to the others' (ChatStore+Queries has the Redis side).
final class ClusterQuery: Sendable {
    /// How long an asker waits for the last live node.
    static let deadline = Duration.seconds(2)
    /// How often the asker reads the reply list meanwhile.
    static let pollInterval = Duration.milliseconds(25)
    /// How long a reply list lives: a little past the deadline, then it is gone.
    static let keep = Duration.seconds(10)
    /// Sessions in one node's answer at most (about 200 bytes each); more are counted
    /// and the answer says it was truncated.
    static let sessionsLimit = 5000

    let node: String
    let report: NodeReport
    let store: ChatStore
    let ttl: Duration
    let logger: Logger

    init(node: String, report: NodeReport, store: ChatStore, ttl: Duration, logger: Logger) {
        self.node = node
        self.report = report
        self.store = store
        self.ttl = ttl
        self.logger = logger
    }

    /// Asks every live node (this one answers here) and waits until each has answered
    /// or the deadline passed.
    func ask(_ ask: ClusterAsk) async throws(StoreError) -> ClusterAnswers {
        let live = Set(try await self.store.liveNodes(ttl: self.ttl))
        let query = SessionID.random().rawValue + SessionID.random().rawValue
        var message = BusMessage(node: self.node, kind: .query, query: query)
        switch ask {
        case .sessions(let user):
            message.ask = "sessions"
            message.user = user
        case .stats:
            message.ask = "stats"
        }
        try await self.store.publish(message)
        var parts = [self.node: self.part(ask)]
        let end = ContinuousClock.now + Self.deadline
        var read = 0
        do throws(StoreError) {
            while !live.isSubset(of: parts.keys) {
                let now = ContinuousClock.now
                guard now < end else { break }
                do { try await Task.sleep(for: min(Self.pollInterval, end - now)) } catch { break }
                let answers = try await self.store.answers(query: query, from: read)
                read += answers.count
                for answer in answers {
                    guard let object = try? JSONDecoder().decode(JSONValue.self, from: Data(answer.utf8)).object,
                        let node = object["node"]?.string, parts[node] == nil
                    else { continue }
                    parts[node] = object
                }
            }
        } catch {
            try? await self.store.forgetAnswers(query: query)
            throw error
        }
        try? await self.store.forgetAnswers(query: query)
        return ClusterAnswers(parts: parts, missing: live.subtracting(parts.keys).sorted())
    }

    /// Another node's question: this node's part, pushed onto the asker's reply list.
    /// Off the bus loop, which must neither sort many sessions nor wait for Redis.
    func answer(_ message: BusMessage) {
        guard message.node != self.node, let query = message.query, Self.isQueryID(query) else { return }
        let ask: ClusterAsk
        switch message.ask {
        case "sessions": ask = .sessions(user: message.user)
        case "stats": ask = .stats
        default: return  // a question from a newer node: unanswered, it shows as missing there
        }
        Task {
            guard let data = try? JSONEncoder().encode(JSONValue.object(self.part(ask))) else { return }
            do throws(StoreError) {
                try await self.store.answer(query: query, String(decoding: data, as: UTF8.self), keep: Self.keep)
            } catch {
                self.logger.warning("could not answer another node's question", metadata: ["error": "\(error)"])
            }
        }
    }

    /// This node's part of the answer.
    private func part(_ ask: ClusterAsk) -> [String: JSONValue] {
        var part: [String: JSONValue]
        switch ask {
        case .sessions(let user):
            let (sessions, total) = self.report.sessions(of: user, limit: Self.sessionsLimit)
            part = [
                "sessions": .array(sessions.map { Self.json($0) }), "sessions_total": .int(total),
                "truncated": .bool(total > sessions.count),
            ]
        case .stats:
            part = Self.json(self.report.stats()).object ?? [:]
        }
        part["node"] = .string(self.node)
        return part
    }

    /// A typed shape as JSON; these plain structs always encode.
    private static func json(_ value: some Encodable) -> JSONValue {
        (try? JSONValue(encoding: value)) ?? .null
    }

    /// The id names a Redis key: only what this code makes (hex, bounded) is accepted.
    static func isQueryID(_ query: String) -> Bool {
        !query.isEmpty && query.utf8.count <= 64 && query.allSatisfy(\.isHexDigit)
    }
}
