#!/bin/bash
# Runs INSIDE the Debian 12 guest (root, systemd is PID 1) after
#   apt-get install ./chatd_*.deb ./chat-client_*.deb
# with redis-server present. Started by packaging/test-in-vm. Every step prints
# "== STEP n: …" and "ok: …"; the first failing check ends the run with exit 1.
# Argument 1: the file name of the upgrade .deb (same package, higher version) under
# /root/files/upgrade/ (made by test-in-vm).
set -uo pipefail
upgrade_deb=${1:-}
server=127.0.0.1:8889
T=60            # seconds any single client command may take (emulated CPU: be generous)
n=0
step() { n=$((n + 1)); echo; echo "== STEP $n: $*"; }
ok() { echo "ok: $*"; }
fail() { echo "FAIL (step $n): $*" >&2; journalctl -u chatd -u chatd.socket -u chatd-control.socket --no-pager -n 60 -o short-monotonic >&2 || true; exit 1; }
show() { systemctl show -p "$2" --value "$1"; }
chat_as() { local id=$1; shift; timeout $T chat "$@" --server $server --user "$id" --password-file "/root/pw.$id"; }
# wait_for SECONDS DESCRIPTION COMMAND...: polls COMMAND every 0.5 s.
wait_for() {
  local secs=$1 what=$2; shift 2
  local end=$((SECONDS + secs))
  until "$@"; do
    ((SECONDS < end)) || fail "timed out after ${secs}s waiting for: $what"
    sleep 0.5
  done
}

step "PID 1, packages, Redis"
[ "$(cat /proc/1/comm)" = systemd ] || fail "PID 1 is not systemd"
dpkg-query -W -f='${Package} ${Version} ${Status}\n' chatd chat-client redis-server
systemctl is-active --quiet redis-server || systemctl start redis-server || fail "redis-server does not run"
redis-cli ping | grep -qx PONG || fail "redis does not answer"
ok "systemd is PID 1; redis-server answers"
for f in /usr/sbin/chatd /usr/bin/chatctl /usr/bin/chat /etc/chatd/chatd.conf /usr/lib/sysusers.d/chatd.conf \
         /lib/systemd/system/chatd.service /lib/systemd/system/chatd.socket /lib/systemd/system/chatd-control.socket \
         /usr/share/man/man8/chatd.8.gz /usr/share/man/man1/chat.1.gz /usr/share/bash-completion/completions/chat; do
  [ -e "$f" ] || fail "missing $f"
done
ok "files in place"
ldd /usr/sbin/chatd | grep -qi swift && fail "chatd links a Swift runtime library dynamically"
ok "no Swift shared libraries needed: $(ldd /usr/sbin/chatd | awk '{print $1}' | tr '\n' ' ')"

step "install state: both sockets enabled and listening, chatd not running, user and group exist"
for u in chatd.socket chatd-control.socket; do
  [ "$(systemctl is-enabled $u)" = enabled ] || fail "$u not enabled"
  [ "$(systemctl is-active $u)" = active ] || fail "$u not active"
done
[ "$(systemctl is-active chatd.service)" = inactive ] || fail "chatd.service must not run before the first connection ($(systemctl is-active chatd.service))"
ss -Hltn 'sport = :8889' | grep -q LISTEN || fail "nothing listens on 8889"
stat -c '%A %U:%G %n' /run/chatd/control.sock
[ "$(stat -c '%a %U %G' /run/chatd/control.sock)" = "660 root chatadm" ] || fail "control socket mode/owner"
getent passwd chatd && getent group chatadm || fail "user chatd / group chatadm missing"
ok "sockets active, chatd inactive"
# The unit default is WatchdogSec=30s; the watchdog step below wants a quicker verdict.
mkdir -p /etc/systemd/system/chatd.service.d
printf '[Service]\nWatchdogSec=10s\n' >/etc/systemd/system/chatd.service.d/zz-vm-test.conf
systemctl daemon-reload
ok "test drop-in: WatchdogSec=10s"

step "the first connection (chat register) starts chatd and is served"
printf 'ann-secret\n' >/root/pw.100; printf 'bob-secret\n' >/root/pw.101; chmod 0600 /root/pw.*
chat_as 100 register --name ann || fail "chat register 100 failed (exit $?)"
[ "$(systemctl is-active chatd.service)" = active ] || fail "chatd.service not active after the first connection"
systemctl show chatd.service -p Type -p NotifyAccess -p WatchdogUSec -p MainPID -p NRestarts -p User -p TriggeredBy -p StatusText
ps -o user=,pid=,comm= -p "$(show chatd.service MainPID)"
[ "$(ps -o user= -p "$(show chatd.service MainPID)")" = chatd ] || fail "chatd does not run as user chatd"
ok "chatd started by socket activation, runs as chatd"
chat_as 101 register --name bob || fail "chat register 101 failed (exit $?)"
ok "registered 100 (ann) and 101 (bob)"

step "two users chat: ann listens, bob sends to everyone and privately"
chat_as 100 listen --json >/root/listen.100 2>/root/listen.100.err &
listener=$!
wait_for 60 "ann online (chat who as bob)" sh -c "timeout $T chat who --server $server --user 101 --password-file /root/pw.101 | grep -q '^100	'"
chat_as 101 send "hello everyone from bob" || fail "chat send failed"
chat_as 101 msg 100 "psst ann, from bob" || fail "chat msg failed"
wait_for 30 "ann receives both messages" sh -c 'grep -q "hello everyone from bob" /root/listen.100 && grep -q "psst ann, from bob" /root/listen.100'
cat /root/listen.100
ok "ann got the group and the private message"

step "chatctl users: root and chatadm members yes, others no (77)"
out=$(timeout $T chatctl users) || fail "chatctl users as root failed (exit $?)"
echo "$out"
grep -qE '^ *100 ' <<<"$out" || fail "chatctl users does not list ann (100)"
useradd -m -G chatadm alice
timeout $T runuser -u alice -- chatctl users >/dev/null || fail "chatctl users as alice (chatadm) failed (exit $?)"
ok "alice (chatadm) may"
timeout $T runuser -u nobody -- chatctl users; rc=$?
[ $rc -eq 77 ] || fail "chatctl users as nobody: exit $rc, want 77"
ok "nobody is refused with 77"
kill "$listener" 2>/dev/null; wait "$listener" 2>/dev/null

step "journal: structured login entries"
journalctl -u chatd CHAT_EVENT=login CHAT_USER_ID=100 -o json --no-pager | python3 -c '
import json, sys
entries = [json.loads(l) for l in sys.stdin if l.strip()]
assert entries, "no CHAT_EVENT=login CHAT_USER_ID=100 entry"
for e in entries:
    print({k: e.get(k) for k in ("MESSAGE", "CHAT_EVENT", "CHAT_USER_ID", "CHAT_SESSION_ID", "CHAT_PEER", "_SYSTEMD_UNIT")})
    assert e["_SYSTEMD_UNIT"] == "chatd.service", e["_SYSTEMD_UNIT"]
' || fail "journalctl -u chatd CHAT_EVENT=login CHAT_USER_ID=100 shows no login"
ok "journalctl -u chatd CHAT_EVENT=login CHAT_USER_ID=100"

step "watchdog: SIGSTOP chatd, systemd restarts it, clients reconnect"
nr0=$(show chatd.service NRestarts); pid0=$(show chatd.service MainPID)
echo "before: MainPID=$pid0 NRestarts=$nr0 WatchdogUSec=$(show chatd.service WatchdogUSec)"
kill -STOP "$pid0"
t0=$SECONDS
restarted() {
  local nr pid
  nr=$(show chatd.service NRestarts); pid=$(show chatd.service MainPID)
  [ "$nr" -gt "$nr0" ] && [ "$pid" != "$pid0" ] && [ "$pid" != 0 ] && [ "$(systemctl is-active chatd.service)" = active ]
}
wait_for 120 "watchdog restart" restarted
echo "after $((SECONDS - t0))s: MainPID=$(show chatd.service MainPID) NRestarts=$(show chatd.service NRestarts)"
journalctl -u chatd --no-pager -o cat | grep -E 'Watchdog timeout|Scheduled restart job' || fail "no watchdog messages in the journal"
chat_as 100 who >/dev/null || fail "chat who after the restart failed (exit $?)"
ok "restarted by the watchdog; ann logs in again"

step "systemctl reload chatd applies a changed limit (max_frame_size)"
big=$(head -c 2000 /dev/zero | tr '\0' x)
chat_as 101 send "$big" || fail "a 2000-byte message should pass with the default max_frame_size"
ok "2000-byte message accepted before"
pid=$(show chatd.service MainPID)
echo 'max_frame_size = 1024' >>/etc/chatd/chatd.conf
since=$(date '+%Y-%m-%d %H:%M:%S')
systemctl reload chatd || fail "systemctl reload chatd failed"
wait_for 60 "the reload in the journal" sh -c "journalctl -u chatd --since '$since' -o cat --no-pager | grep -q 'configuration reloaded'"
[ "$(show chatd.service MainPID)" = "$pid" ] || fail "reload restarted chatd"
chat_as 101 send "$big"; rc=$?
[ $rc -ne 0 ] || fail "a 2000-byte message still passes after max_frame_size = 1024 and reload"
chat_as 101 send "short one" || fail "a short message fails after the reload"
ok "after reload (same pid $pid) the 2000-byte message is refused (exit $rc), short ones pass"

step "upgrade: chatd restarted once, sockets stay open"
if [ -n "$upgrade_deb" ]; then
  pid0=$(show chatd.service MainPID)
  ino_chat=$(ss -Hltne 'sport = :8889' | grep -o 'ino:[0-9]*')
  ino_ctl=$(stat -c %i /run/chatd/control.sock)
  sock_since=$(show chatd.socket ActiveEnterTimestampMonotonic)
  starts0=$(journalctl -u chatd.service -o cat --no-pager | grep -c '^Started chatd')
  apt-get install -y -q "/root/files/upgrade/$upgrade_deb" >/root/upgrade.log 2>&1 || { cat /root/upgrade.log; fail "upgrade failed"; }
  dpkg-query -W -f='${Version}\n' chatd
  pid1=$(show chatd.service MainPID)
  starts1=$(journalctl -u chatd.service -o cat --no-pager | grep -c '^Started chatd')
  echo "MainPID $pid0 -> $pid1, starts $starts0 -> $starts1"
  [ "$pid1" != "$pid0" ] && [ "$pid1" != 0 ] || fail "chatd was not restarted by the upgrade"
  [ $((starts1 - starts0)) -eq 1 ] || fail "chatd started $((starts1 - starts0)) times during the upgrade, want 1"
  [ "$(ss -Hltne 'sport = :8889' | grep -o 'ino:[0-9]*')" = "$ino_chat" ] || fail "chat listening socket was replaced"
  [ "$(stat -c %i /run/chatd/control.sock)" = "$ino_ctl" ] || fail "control socket was replaced"
  [ "$(show chatd.socket ActiveEnterTimestampMonotonic)" = "$sock_since" ] || fail "chatd.socket was restarted"
  grep -q 'max_frame_size = 1024' /etc/chatd/chatd.conf || fail "the upgrade lost the administrator's conffile change"
  chat_as 100 who >/dev/null || fail "chat after the upgrade failed"
  ok "one restart, same listening sockets, conffile kept"
else
  echo "skipped: no upgrade .deb given"
fi

step "apt-get purge: nothing left behind; Redis data untouched"
rm -rf /etc/systemd/system/chatd.service.d   # the test's own drop-in
# Durable data: users, group history, private conversations, inboxes. (chatd itself
# drops its presence keys when it stops; that is chatd, not the package.)
durable() { redis-cli --scan --pattern 'chat:*' | grep -E '^chat:(user|room|dm|inbox):' | sort; }
keys_before=$(durable)
apt-get purge -y -q chatd chat-client >/root/purge.log 2>&1 || { cat /root/purge.log; fail "apt-get purge failed"; }
systemctl daemon-reload
left=$(systemctl list-units --all --no-legend 'chatd*'; systemctl list-unit-files --no-legend 'chatd*')
[ -z "$left" ] || fail "units left: $left"
pgrep -a chatd && fail "a chatd process is still running"
left=$(find /etc /lib /usr /var/lib /run -xdev \( -name '*chatd*' -o -name 'chatctl*' -o -name 'chat-client*' -o -name 'chat.1*' \) 2>/dev/null)
[ -z "$left" ] || fail "files left: $left"
[ ! -e /usr/bin/chat ] || fail "/usr/bin/chat left"
getent passwd chatd && fail "user chatd left"
getent group chatadm && fail "group chatadm left"
[ -n "$keys_before" ] || fail "no user or history keys in Redis at all"
[ "$(durable)" = "$keys_before" ] || fail "Redis keys changed: $(diff <(echo "$keys_before") <(durable) | tr '\n' ' ')"
[ "$(redis-cli hget chat:user:100 username)" = ann ] || fail "ann's record is gone from Redis"
ok "no unit, file, process, user or group left; Redis untouched: $(tr '\n' ' ' <<<"$keys_before")"

echo; echo "ALL CHATD PACKAGE CHECKS PASSED"
