// SPDX-License-Identifier: Apache-2.0
/// Lua scripts, so that each multi-key change is atomic and one round trip.
enum Scripts {
    /// KEYS: user, seed hash, room, tombstone. ARGV: id.
    /// 1 when the id is free, 0 when taken (here or in the seed's hash), -1 when it
    /// belonged to a deleted user. Asked before hashing the password.
    static let idTaken = """
        if redis.call('EXISTS', KEYS[4]) == 1 then return -1 end
        if redis.call('EXISTS', KEYS[1]) == 1 or redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return 0 end
        return 1
        """

    /// KEYS: user, seed hash, room, tombstone. ARGV: id, username, password hash, created ms,
    /// first token epoch. Returns 1 when registered, 0 or -1 as `idTaken` (checked again:
    /// another registration may have come between).
    /// The group cursor starts at the room's newest message: a new user is not
    /// sent the whole history as "missed".
    static let register = """
        if redis.call('EXISTS', KEYS[4]) == 1 then return -1 end
        if redis.call('EXISTS', KEYS[1]) == 1 or redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return 0 end
        local last = redis.call('XREVRANGE', KEYS[3], '+', '-', 'COUNT', 1)
        local cursor = '0-0'
        if #last > 0 then cursor = last[1][1] end
        redis.call('HSET', KEYS[1], 'username', ARGV[2], 'password', ARGV[3], 'created', ARGV[4], 'disabled', '0',
                   'group_cursor', cursor, 'token_epoch', ARGV[5])
        return 1
        """

    /// KEYS: user, seed hash, room, tombstone. ARGV: id, username, password hash, created ms,
    /// first token epoch. Moves a seed record into our schema (hashed) and deletes the
    /// clear-text copy. Returns 1 when migrated, 0 when a record already existed or the
    /// id was deleted (a seed record written later does not bring it back).
    static let migrateSeedUser = """
        redis.call('HDEL', KEYS[2], ARGV[1])
        if redis.call('EXISTS', KEYS[1]) == 1 or redis.call('EXISTS', KEYS[4]) == 1 then return 0 end
        local last = redis.call('XREVRANGE', KEYS[3], '+', '-', 'COUNT', 1)
        local cursor = '0-0'
        if #last > 0 then cursor = last[1][1] end
        redis.call('HSET', KEYS[1], 'username', ARGV[2], 'password', ARGV[3], 'created', ARGV[4], 'disabled', '0',
                   'group_cursor', cursor, 'token_epoch', ARGV[5])
        return 1
        """

    /// KEYS: conversation, recipient's inbox, recipient's user hash, seed hash.
    /// ARGV: from, to, username, content, conversation max, inbox max.
    /// Returns {message id, inbox entry id}, or 0 when the recipient does not exist.
    static let appendPrivate = """
        if redis.call('EXISTS', KEYS[3]) == 0 and redis.call('HEXISTS', KEYS[4], ARGV[2]) == 0 then return 0 end
        local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[5], '*', 'from', ARGV[1], 'to', ARGV[2], 'username', ARGV[3], 'content', ARGV[4])
        local entry = redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[6], '*', 'id', id, 'from', ARGV[1], 'to', ARGV[2], 'username', ARGV[3], 'content', ARGV[4])
        return {id, entry}
        """

    /// KEYS: room, then user hashes. Records that the users have seen the room up to
    /// its newest message (called when their last session ends); a user with no hash
    /// (deleted meanwhile) gets none.
    static let markRoomSeen = """
        local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
        if #last == 0 then return 0 end
        local marked = 0
        for i = 2, #KEYS do
          if redis.call('EXISTS', KEYS[i]) == 1 then
            redis.call('HSET', KEYS[i], 'group_cursor', last[1][1])
            marked = marked + 1
          end
        end
        return marked
        """

    /// KEYS: user hash. ARGV: field, id. Moves a stream cursor forward, never back.
    static let advanceCursor = """
        local current = redis.call('HGET', KEYS[1], ARGV[1])
        if current then
          local cms, cseq = string.match(current, '^(%d+)-(%d+)$')
          local nms, nseq = string.match(ARGV[2], '^(%d+)-(%d+)$')
          if cms and nms and (tonumber(cms) > tonumber(nms) or (cms == nms and tonumber(cseq) >= tonumber(nseq))) then return 0 end
        end
        if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
        return 1
        """
}

/// Presence across nodes. The keys of other nodes' presence hashes are derived inside
/// the scripts (prefix .. node id), which is fine on one Redis (not on Redis Cluster).
extension Scripts {
    /// KEYS: nodes. ARGV: node, user, name, presence prefix, now ms, ttl ms.
    /// Called when the user's first session on this node starts; 1 when no other live
    /// node has the user (they came online).
    static let presenceUp = """
        local node, user, name, prefix, now, ttl = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6])
        redis.call('ZADD', KEYS[1], now, node)
        redis.call('HSET', prefix .. node, user, '1:' .. name)
        for _, other in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], now - ttl, '+inf')) do
          if other ~= node and redis.call('HEXISTS', prefix .. other, user) == 1 then return 0 end
        end
        return 1
        """

    /// KEYS: nodes. ARGV: node, presence prefix, now ms, ttl ms, then user ids.
    /// Called when the users' last sessions on this node end; returns those no other
    /// live node has (they went offline).
    static let presenceDown = """
        local node, prefix, now, ttl = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
        local others = {}
        for _, other in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], now - ttl, '+inf')) do
          if other ~= node then table.insert(others, prefix .. other) end
        end
        local gone = {}
        for i = 5, #ARGV do
          local user = ARGV[i]
          redis.call('HDEL', prefix .. node, user)
          local elsewhere = false
          for _, key in ipairs(others) do
            if redis.call('HEXISTS', key, user) == 1 then elsewhere = true break end
          end
          if not elsewhere then table.insert(gone, user) end
        end
        return gone
        """

    /// KEYS: nodes. ARGV: node, presence prefix, now ms, ttl ms, then user/value pairs.
    /// Returns {user, name, …} of users who went offline with dead nodes.
    static let heartbeat = """
        local node, prefix, now, ttl = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
        redis.call('ZADD', KEYS[1], now, node)
        redis.call('DEL', prefix .. node)
        for i = 5, #ARGV, 2 do redis.call('HSET', prefix .. node, ARGV[i], ARGV[i + 1]) end
        local gone = {}
        for _, dead in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. (now - ttl))) do
          if redis.call('ZREM', KEYS[1], dead) == 1 then
            local users = redis.call('HGETALL', prefix .. dead)
            redis.call('DEL', prefix .. dead)
            local live = redis.call('ZRANGEBYSCORE', KEYS[1], now - ttl, '+inf')
            for i = 1, #users, 2 do
              local elsewhere = false
              for _, other in ipairs(live) do
                if redis.call('HEXISTS', prefix .. other, users[i]) == 1 then elsewhere = true break end
              end
              if not elsewhere then
                table.insert(gone, users[i])
                table.insert(gone, string.match(users[i + 1], '^%d+:(.*)$') or '')
              end
            end
          end
        end
        return gone
        """

    /// KEYS: nodes. ARGV: presence prefix, now ms, ttl ms. Returns {user, value, …}.
    static let onlineEverywhere = """
        local prefix, now, ttl = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
        local online = {}
        for _, node in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], now - ttl, '+inf')) do
          local users = redis.call('HGETALL', prefix .. node)
          for i = 1, #users, 2 do online[users[i]] = users[i + 1] end
        end
        local flat = {}
        for user, value in pairs(online) do
          table.insert(flat, user)
          table.insert(flat, value)
        end
        return flat
        """

    /// KEYS: a throttle's count. ARGV: window ms. Counts one event; the first opens the
    /// window (the key expires with it). Returns {count, ms until the window ends}.
    static let countInWindow = """
        local n = redis.call('INCR', KEYS[1])
        if n == 1 or redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
        return {n, redis.call('PTTL', KEYS[1])}
        """

    /// KEYS: a throttle's count. Returns {count, ms until the window ends}, {0, 0} when none is open.
    static let windowCount = """
        local n = tonumber(redis.call('GET', KEYS[1]) or '0')
        if n == 0 then return {0, 0} end
        return {n, redis.call('PTTL', KEYS[1])}
        """
}
