// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import RedisClient

/// Where a stored message landed.
public struct StoredMessage: Sendable, Equatable {
    public var id: String
    public var ts: Int64
    /// For a private message, the recipient's inbox entry: their delivery cursor moves to it.
    public var inboxEntry: String?
}

/// What a user missed while none of their sessions was online.
public struct MissedMessages: Sendable, Equatable {
    public var messages: [ChatRecord]
    public var moreGroup: Bool
    public var morePrivate: Bool
    /// Where the user's cursors go once the messages reached them (`markSeen`).
    public var seen: SeenCursors
}

/// The newest group message and inbox entry a user was sent.
public struct SeenCursors: Sendable, Equatable {
    var group: String?
    var inbox: String?
}

extension ChatStore {
    /// Appends a group message to the room's history. Returns only once Redis has it.
    public func appendGroup(from: Int, username: String, content: String) async throws(StoreError) -> StoredMessage {
        let reply = try await self.command([
            "XADD", keys.room, "MAXLEN", "~", String(configuration.groupHistoryMax), "*",
            "from", String(from), "username", username, "content", content,
        ])
        guard let id = reply.string else { throw .corruptRecord("XADD returned no id") }
        return StoredMessage(id: id, ts: StreamID.millis(id))
    }

    /// Stores a private message in the conversation and the recipient's inbox.
    /// Throws `.noSuchUser` when the recipient does not exist.
    public func appendPrivate(
        from: Int,
        username: String,
        to: Int,
        content: String
    ) async throws(StoreError) -> StoredMessage {
        let reply = try await self.eval(
            Scripts.appendPrivate,
            keys: [keys.conversation(from, to), keys.inbox(to), keys.user(to), keys.seedUsers],
            args: [
                String(from), String(to), username, content,
                String(configuration.conversationMax), String(configuration.inboxMax),
            ]
        )
        guard let ids = reply.array, ids.count == 2, let id = ids[0].string, let entry = ids[1].string else {
            throw .noSuchUser
        }
        return StoredMessage(id: id, ts: StreamID.millis(id), inboxEntry: entry)
    }

    /// Group history (or the conversation of `user` with `peer`), newest first.
    public func history(
        for user: Int,
        with peer: Int?,
        before: String?,
        limit: Int
    ) async throws(StoreError) -> (messages: [ChatRecord], more: Bool) {
        if let before, !StreamID.isValid(before) { throw .invalidInput("\"before\" is not a message id") }
        let limit = max(1, min(limit, configuration.historyPageMax))
        let key = peer.map { keys.conversation(user, $0) } ?? keys.room
        let end = before.map { "(" + $0 } ?? "+"
        let reply = try await self.command(["XREVRANGE", key, end, "-", "COUNT", String(limit + 1)])
        let records = reply.streamEntries.map { Self.record(id: $0.id, fields: $0.fields, to: peer == nil ? nil : 0) }
        return (Array(records.prefix(limit)), records.count > limit)
    }

    /// What the user missed while offline: group messages after their group cursor and
    /// private messages after their inbox cursor, each bounded by `offlineMax` (the newest
    /// are kept), oldest first. The cursors stay: `markSeen` moves them once the messages
    /// were written to the user, so a connection lost meanwhile loses nothing.
    public func collectMissed(for user: Int) async throws(StoreError) -> MissedMessages {
        let bound = max(0, configuration.offlineMax)
        let cursors =
            try await self.command(["HMGET", keys.user(user), UserField.groupCursor, UserField.inboxCursor]).array ?? []
        let groupCursor = cursors.first?.string
        let inboxCursor = cursors.count > 1 ? cursors[1].string : nil

        var records: [ChatRecord] = []
        var moreGroup = false
        var morePrivate = false
        var newestGroup: String?
        var newestInbox: String?
        if let groupCursor, bound > 0 {
            let reply = try await self.command([
                "XREVRANGE", keys.room, "+", "(" + groupCursor, "COUNT", String(bound + 1),
            ])
            let entries = reply.streamEntries
            moreGroup = entries.count > bound
            newestGroup = entries.first?.id
            records += entries.prefix(bound).map { Self.record(id: $0.id, fields: $0.fields, to: nil) }
        }
        if bound > 0 {
            let start = inboxCursor.map { "(" + $0 } ?? "-"
            let reply = try await self.command(["XREVRANGE", keys.inbox(user), "+", start, "COUNT", String(bound + 1)])
            let entries = reply.streamEntries
            morePrivate = entries.count > bound
            newestInbox = entries.first?.id
            records += entries.prefix(bound).map { entry in
                Self.record(id: entry.fields["id"] ?? entry.id, fields: entry.fields, to: user)
            }
        }
        records.sort { ($0.ts, $0.id) < ($1.ts, $1.id) }
        return MissedMessages(
            messages: records,
            moreGroup: moreGroup,
            morePrivate: morePrivate,
            seen: SeenCursors(group: newestGroup, inbox: newestInbox)
        )
    }

    /// The missed messages reached the user: their cursors move past them (never back).
    public func markSeen(by user: Int, _ seen: SeenCursors) async throws(StoreError) {
        if let group = seen.group { try await self.advanceCursor(of: user, field: UserField.groupCursor, to: group) }
        if let inbox = seen.inbox { try await self.advanceCursor(of: user, field: UserField.inboxCursor, to: inbox) }
    }

    /// A private message reached one of the recipient's sessions live.
    public func markDelivered(to user: Int, inboxEntry: String) async throws(StoreError) {
        try await self.advanceCursor(of: user, field: UserField.inboxCursor, to: inboxEntry)
    }

    /// The user's last session ended: what is in the room now counts as seen. Users
    /// whose sessions end together share one script.
    public func markRoomSeen(by user: Int) async throws(StoreError) {
        try await self.roomSeen(user).get()
    }

    static func markRoomSeen(by users: [Int], redis: RedisClient, keys: Keys) async -> [Result<Void, StoreError>] {
        do throws(StoreError) {
            _ = try await Self.eval(
                Scripts.markRoomSeen,
                keys: [keys.room] + users.map(keys.user),
                args: [],
                redis: redis
            )
            return Array(repeating: .success(()), count: users.count)
        } catch {
            return Array(repeating: .failure(error), count: users.count)
        }
    }

    func advanceCursor(of user: Int, field: String, to id: String) async throws(StoreError) {
        _ = try await self.eval(Scripts.advanceCursor, keys: [keys.user(user)], args: [field, id])
    }

    static func record(id: String, fields: [String: String], to: Int?) -> ChatRecord {
        ChatRecord(
            id: id,
            ts: StreamID.millis(id),
            from: Int(fields["from"] ?? "") ?? 0,
            username: fields["username"] ?? "",
            content: fields["content"] ?? "",
            to: to == nil ? nil : Int(fields["to"] ?? "") ?? to
        )
    }
}
