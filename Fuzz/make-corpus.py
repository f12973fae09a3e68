#!/usr/bin/env python3
"""Writes the seed corpus under Fuzz/corpus/ (run from anywhere; idempotent).

Seeds are named after what they hold; crash inputs found by fuzzing are added by
hand as corpus/<target>/crash-<what>, never regenerated here.
"""
import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def write(target, name, data):
    path = os.path.join(HERE, "corpus", target)
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def frame(body):
    body = body if isinstance(body, bytes) else body.encode()
    return struct.pack(">I", len(body)) + body


def envelope(type_, payload):
    # The seed's double encoding: data is the payload's JSON as a string.
    data = payload if isinstance(payload, str) else json.dumps(payload, separators=(",", ":"))
    return json.dumps({"type": type_, "data": data}, separators=(",", ":"))


# --- frames: what seed clients and chatd put on the wire -------------------------
user = {"userid": 200, "userpwd": "pw", "username": "bob", "userstatus": 0}
record = {"id": "1700000000000-0", "ts": 1700000000000, "from": 100, "username": "alice", "content": "hi"}
client = {
    "login": envelope("LoginMes", {"userid": 100, "userpwd": "123456", "username": ""}),
    "login-token": envelope("LoginMes", {"userid": 100, "userpwd": "", "username": "", "token": "abc.def"}),
    "register": envelope("RegisterMes", {"user": user}),
    "sms": envelope("SmsMes", {"content": "a <b> & c", "userid": 300, "userpwd": "", "username": "", "userstatus": 0}),
    "private": envelope("PrivateMes", {"to": 200, "content": "psst \u00e9\u4e2d\U0001F600"}),
    "online-users": envelope("OnlineUsersMes", ""),
    "history": envelope("HistoryMes", {"before": "1700000000000-0", "limit": 20, "with": 200}),
    "ping": envelope("PingMes", {"ts": 1700000000000}),
    "pong": envelope("PongMes", {}),
    "logout": envelope("LogoutMes", "{}"),
}
server = {
    "login-result": envelope("LoginResMes", {"code": 200, "UserIds": [100, 200], "error": "", "username": "alice", "token": "t"}),
    "register-result": envelope("RegisterResMes", {"code": 400, "error": "id already registered"}),
    "notify": envelope("NotifyUserStatusMes", {"status": 1, "userid": 100, "username": "alice"}),
    "sms-result": envelope("SmsResMes", {"code": 200, "error": "", "id": "1-0", "ts": 1}),
    "private-result": envelope("PrivateResMes", {"code": 200, "error": "", "id": "1-0", "ts": 1, "delivered": True}),
    "online-users-result": envelope("OnlineUsersResMes", {"code": 200, "error": "", "users": [{"userid": 1, "username": "a", "status": 0}]}),
    "history-result": envelope("HistoryResMes", {"code": 200, "error": "", "messages": [record, dict(record, to=200)], "more": True}),
    "offline": envelope("OfflineMes", {"code": 200, "error": "", "messages": [record], "more": False, "note": "n"}),
    "kicked": envelope("KickedMes", {"reason": "admin"}),
    "error": envelope("ErrorMes", {"code": 413, "error": "frame too large"}),
}
for name, body in {**client, **server}.items():
    write("frames", name, frame(body))
write("frames", "session-stream", b"".join(frame(client[k]) for k in ["login", "sms", "private", "history", "ping", "logout"]))
write("frames", "lenient-nulls", frame(envelope("PrivateMes", '{"to":null,"content":null}')))
write("frames", "escapes", frame(r'{"type":"SmsMes","data":"{\"content\":\"\\u0000\\ud83d\\ude00\\n\\\"\"}"}'))
write("frames", "unknown-type", frame(envelope("FooMes", {})))
write("frames", "missing-type", frame('{"data":"{}"}'))
write("frames", "bad-payload", frame(envelope("LoginMes", '{"userid":"x"}')))
write("frames", "invalid-utf8", frame(b'{"type":"SmsMes","data":"\xff\xfe"}'))
write("frames", "empty-frame", b"\x00\x00\x00\x00")
write("frames", "too-large", b"\x00\x01\x00\x01{}")
write("frames", "partial", frame(client["login"])[:-3])

# --- RESP: replies of each type, as Redis sends them -------------------------------
def bulk(s):
    s = s if isinstance(s, bytes) else s.encode()
    return b"$%d\r\n%s\r\n" % (len(s), s)


def array(*items):
    return b"*%d\r\n" % len(items) + b"".join(items)


resp = {
    "simple": b"+OK\r\n",
    "pong": b"+PONG\r\n",
    "error": b"-ERR unknown command 'FOO'\r\n",
    "wrongtype": b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    "integer": b":1000\r\n",
    "negative": b":-9223372036854775808\r\n",
    "bulk": bulk("hello"),
    "bulk-binary": bulk(b"\x00\r\n\xff"),
    "bulk-empty": b"$0\r\n\r\n",
    "null-bulk": b"$-1\r\n",
    "null-array": b"*-1\r\n",
    "empty-array": b"*0\r\n",
    "hgetall": array(bulk("name"), bulk("alice"), bulk("pwhash"), bulk("$argon")),
    "xrange": array(array(bulk("1700000000000-0"), array(bulk("from"), bulk("100"), bulk("content"), bulk("hi")))),
    "exec": array(b"+OK\r\n", b":1\r\n", b"$-1\r\n", b"-ERR x\r\n"),
    "pubsub-message": array(bulk("message"), bulk("chat:events"), bulk('{"k":1}')),
    "subscribe": array(bulk("subscribe"), bulk("chat:events"), b":1\r\n"),
    "nested": array(array(array(array(b":1\r\n")))),
    "pipeline": b"+OK\r\n:1\r\n" + bulk("v") + b"*-1\r\n",
    "partial": bulk("hello")[:-2],
    # CLUSTER SLOTS as Redis 7 sends it (each node ends with a metadata map, an array in RESP2).
    "cluster-slots": array(
        array(b":0\r\n", b":5460\r\n", array(bulk("127.0.0.1"), b":7000\r\n", bulk("a" * 40), array()),
              array(bulk("127.0.0.1"), b":7003\r\n", bulk("d" * 40), array())),
        array(b":5461\r\n", b":10922\r\n", array(bulk(""), b":7001\r\n", bulk("b" * 40), array(bulk("hostname"), bulk("h1")))),
        array(b":10923\r\n", b":16383\r\n", array(bulk("::1"), b":7002\r\n", bulk("c" * 40), array()))),
    "moved": b"-MOVED 3999 127.0.0.1:6381\r\n",
    "ask": b"-ASK 3999 :6381\r\n",
    "hash-tag-key": b"+{user1000}.following\r\n",
}
for name, data in resp.items():
    write("resp", name, data)

# --- control: JSON-RPC lines as chatctl sends them ----------------------------------
def req(**kw):
    return json.dumps(dict(jsonrpc="2.0", **kw), separators=(",", ":")) + "\n"


control = {
    "status": req(id=1, method="status"),
    "string-id": req(id="a-1", method="status", params={}),
    "null-id": req(id=None, method="status"),
    "no-jsonrpc": '{"id":2,"method":"status"}\n',
    "kick": req(id=3, method="sessions.kick", params={"session": "s-1", "reason": "bye"}),
    "user": req(id=4, method="users.show", params={"userid": 100, "name": "alice"}),
    "params-array": req(id=5, method="x", params=[1, 2.5, -3e10, True, None, "s", {"a": []}]),
    "numbers": req(id=1e300, method="x", params={"a": 0.1, "b": -0.0, "c": 123456789012345678, "d": 1e-300}),
    "unicode": req(id=6, method="users.show", params={"name": "\u00e9\u4e2d\U0001F600 /\\\""}),
    "crlf-batch": req(id=7, method="status").replace("\n", "\r\n") + req(id=8, method="status"),
    "not-json": "status\n",
    "missing-method": '{"jsonrpc":"2.0","id":9}\n',
    "nested": '{"jsonrpc":"2.0","id":10,"method":"x","params":' + "[" * 40 + "]" * 40 + "}\n",
    "no-newline": req(id=11, method="status").rstrip("\n"),
}
for name, data in control.items():
    write("control", name, data)
