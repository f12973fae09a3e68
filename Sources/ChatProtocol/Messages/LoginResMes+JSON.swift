extension LoginResMes {
    /// The payload JSON, byte for byte what `PayloadCoder.encode` makes of it, written
    /// by hand: a login reply lists every online user, and JSONEncoder spends about a
    /// millisecond on ten thousand ids — per login, in a reconnect storm of ten thousand.
    public var payloadJSON: String {
        var out = ""
        out.reserveCapacity(64 + self.userIds.count * 8 + self.error.utf8.count + (self.token?.utf8.count ?? 0))
        // Keys sorted as JSONEncoder's .sortedKeys does: "UserIds" before the lowercase ones.
        out += "{\"UserIds\":["
        var first = true
        for id in self.userIds {
            if !first { out += "," }
            first = false
            out += String(id)
        }
        out += "],\"code\":"
        out += String(self.code)
        out += ",\"error\":"
        JSONString.append(self.error, to: &out)
        if let token = self.token {
            out += ",\"token\":"
            JSONString.append(token, to: &out)
        }
        if let username = self.username {
            out += ",\"username\":"
            JSONString.append(username, to: &out)
        }
        out += "}"
        return out
    }
}
