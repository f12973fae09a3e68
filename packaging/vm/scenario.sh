#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
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
# on_fail: a command that prints what the step under way can add to explain a failure.
on_fail=true
fail() { echo "FAIL (step $n): $*" >&2; "$on_fail" >&2 || true; journalctl -u chatd -u chatd.socket -u chatd-control.socket --no-pager -n 60 -o short-monotonic >&2 || true; exit 1; }
show() { systemctl show -p "$2" --value "$1"; }
# Redis as chatd sees it: TCP 127.0.0.1:6379 at first; the Unix socket, with a
# password (REDISCLI_AUTH), once the recommended setup is in place.
redis_at=()
rcli() { redis-cli "${redis_at[@]}" "$@"; }
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
rcli ping | grep -qx PONG || fail "redis does not answer"
ok "systemd is PID 1; redis-server answers"
for f in /usr/sbin/chatd /usr/bin/chatctl /usr/bin/chat /etc/chatd/chatd.conf /usr/lib/sysusers.d/chatd.conf \
         /lib/systemd/system/chatd.service /lib/systemd/system/chatd.socket /lib/systemd/system/chatd-control.socket \
         /usr/share/man/man8/chatd.8.gz /usr/share/man/man1/chat.1.gz /usr/share/bash-completion/completions/chat; do
  [ -e "$f" ] || fail "missing $f"
done
ok "files in place"
ldd /usr/sbin/chatd | grep -qi swift && fail "chatd links a Swift runtime library dynamically"
ok "no Swift shared libraries needed: $(ldd /usr/sbin/chatd | awk '{print $1}' | tr '\n' ' ')"
systemd-analyze verify --man=no chatd.service chatd.socket chatd-control.socket >/root/verify.log 2>&1 || { cat /root/verify.log; fail "systemd-analyze verify failed"; }
grep -i chatd /root/verify.log && fail "systemd-analyze verify complains about chatd's units"
ok "systemd-analyze verify: chatd's units load cleanly on systemd $(systemctl --version | awk 'NR==1 {print $2}')"

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
stat -c '%a %U:%G %n' /etc/chatd /etc/chatd/*
[ "$(stat -c '%a %U %G' /etc/chatd/chatd.conf)" = "640 root chatd" ] || fail "/etc/chatd/chatd.conf is $(stat -c '%a %U %G' /etc/chatd/chatd.conf), want 640 root chatd"
dpkg-statoverride --list /etc/chatd/chatd.conf || fail "no statoverride for /etc/chatd/chatd.conf"
[ "$(stat -c '%a %U %G' /etc/chatd/token-key)" = "600 root root" ] || fail "/etc/chatd/token-key is $(stat -c '%a %U %G' /etc/chatd/token-key 2>&1), want 600 root root"
[ "$(tr -d '[:space:]' </etc/chatd/token-key | wc -c)" -ge 64 ] || fail "/etc/chatd/token-key holds less than 64 characters"
key_sum=$(sha256sum </etc/chatd/token-key)
grep -Eq '^#registration = closed' /etc/chatd/chatd.conf || fail "chatd.conf does not document registration = closed"
ok "chatd.conf 640 root:chatd (statoverride), token-key 600 root:root"
systemctl show chatd.service -p MemoryHigh -p MemoryMax -p TasksMax -p LimitCORE -p PrivateIPC -p LoadCredential
[ "$(show chatd.service MemoryHigh)" = 1610612736 ] || fail "MemoryHigh=$(show chatd.service MemoryHigh), want 1536M"
[ "$(show chatd.service MemoryMax)" = 2147483648 ] || fail "MemoryMax=$(show chatd.service MemoryMax), want 2G"
[ "$(show chatd.service TasksMax)" = 1024 ] || fail "TasksMax=$(show chatd.service TasksMax), want 1024"
[ "$(show chatd.service LimitCORE)" = 0 ] || fail "LimitCORE=$(show chatd.service LimitCORE), want 0"
[ "$(show chatd.service PrivateIPC)" = yes ] || fail "PrivateIPC=$(show chatd.service PrivateIPC), want yes"
ok "unit limits: MemoryHigh 1536M, MemoryMax 2G, TasksMax 1024, LimitCORE 0, PrivateIPC"
# The unit default is WatchdogSec=30s; the watchdog step below wants a quicker verdict.
# Under emulation one scrypt hash at the default cost (2^17) takes seconds, and a login
# must be done within login_timeout (10 s): give it a minute here.
mkdir -p /etc/systemd/system/chatd.service.d
printf '[Service]\nWatchdogSec=10s\nEnvironment=CHATD_LOGIN_TIMEOUT=60\n' >/etc/systemd/system/chatd.service.d/zz-vm-test.conf
systemctl daemon-reload
ok "test drop-in: WatchdogSec=10s, login_timeout 60 s"

step "the first connection starts chatd; registration is closed; chatctl user add makes users"
printf 'ann-secret\n' >/root/pw.100; printf 'bob-secret\n' >/root/pw.101; printf 'cy-secret\n' >/root/pw.102; chmod 0600 /root/pw.*
chat_as 100 register --name ann >/root/register.100 2>&1; rc=$?
cat /root/register.100
[ $rc -ne 0 ] || fail "chat register succeeded although registration is closed by default"
grep -qi 'registration is closed' /root/register.100 || fail "the refusal does not say that registration is closed"
ok "self-registration refused (exit $rc): $(tr '\n' ' ' </root/register.100)"
[ "$(systemctl is-active chatd.service)" = active ] || fail "chatd.service not active after the first connection"
systemctl show chatd.service -p Type -p NotifyAccess -p WatchdogUSec -p MainPID -p NRestarts -p User -p TriggeredBy -p StatusText
ps -o user=,pid=,comm= -p "$(show chatd.service MainPID)"
[ "$(ps -o user= -p "$(show chatd.service MainPID)")" = chatd ] || fail "chatd does not run as user chatd"
ok "chatd started by socket activation, runs as chatd"
timeout $T chatctl user add 100 --name ann --password-stdin </root/pw.100 || fail "chatctl user add 100 failed (exit $?)"
timeout $T chatctl user add 101 --name bob --password-stdin </root/pw.101 || fail "chatctl user add 101 failed (exit $?)"
t0=$EPOCHREALTIME
chat_as 100 who >/dev/null || fail "ann, made by chatctl user add, cannot log in (exit $?)"
echo "one password login (scrypt N=2^17 under emulation): $(awk "BEGIN {printf \"%.1f\", $EPOCHREALTIME - $t0}") s"
ok "chatctl user add made 100 (ann) and 101 (bob); ann logs in"

step "two users chat: ann listens, bob sends to everyone and privately"
chat_as 100 listen --json >/root/listen.100 2>/root/listen.100.err &
listener=$!
wait_for 60 "ann online (chat who as bob)" sh -c "timeout $T chat who --server $server --user 101 --password-file /root/pw.101 | grep -q '^100	'"
chat_as 101 send "hello everyone from bob" || fail "chat send failed"
chat_as 101 msg 100 "psst ann, from bob" || fail "chat msg failed"
wait_for 30 "ann receives both messages" sh -c 'grep -q "hello everyone from bob" /root/listen.100 && grep -q "psst ann, from bob" /root/listen.100'
cat /root/listen.100
ok "ann got the group and the private message"
[ "$(rcli exists chat:secret:token)" = 0 ] || fail "Redis holds chat:secret:token: chatd did not take the token key from its credential"
cmp -s /run/credentials/chatd.service/token-key /etc/chatd/token-key || fail "chatd's credential token-key is not /etc/chatd/token-key"
ok "tokens issued with the credential token-key; no chat:secret:token in Redis"

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

step "chatctl user passwd kicks the user's live session"
chat_as 100 listen --json >/root/listen2.100 2>/root/listen2.100.err &
listener=$!
wait_for 60 "ann online (chat who as bob)" sh -c "timeout $T chat who --server $server --user 101 --password-file /root/pw.101 | grep -q '^100	'"
printf 'ann-new-secret\n' | timeout $T chatctl user passwd 100 --password-stdin || fail "chatctl user passwd failed (exit $?)"
wait_for 30 "ann's listener to end" sh -c "! kill -0 $listener 2>/dev/null"
wait "$listener"; rc=$?
cat /root/listen2.100 /root/listen2.100.err
[ $rc -ne 0 ] || fail "chat listen ended with 0 after the password change"
grep -q KickedMes /root/listen2.100 || fail "ann's session got no KickedMes"
chat_as 100 who >/dev/null 2>&1 && fail "the old password still logs in"
printf 'ann-new-secret\n' >/root/pw.100
chat_as 100 who >/dev/null || fail "the new password does not log in (exit $?)"
ok "the live session was kicked (exit $rc); the old password fails, the new one works"
grep -E '^(Threads|VmRSS)' "/proc/$(show chatd.service MainPID)/status"
echo "MemoryCurrent=$(show chatd.service MemoryCurrent) TasksCurrent=$(show chatd.service TasksCurrent)"

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

step "systemctl reload chatd applies a changed limit (max_frame_size) and registration = open"
big=$(head -c 2000 /dev/zero | tr '\0' x)
chat_as 101 send "$big" || fail "a 2000-byte message should pass with the default max_frame_size"
ok "2000-byte message accepted before"
pid=$(show chatd.service MainPID)
printf 'max_frame_size = 1024\nregistration = open\n' >>/etc/chatd/chatd.conf
since=$(date '+%Y-%m-%d %H:%M:%S')
systemctl reload chatd || fail "systemctl reload chatd failed"
wait_for 60 "the reload in the journal" sh -c "journalctl -u chatd --since '$since' -o cat --no-pager | grep -q 'configuration reloaded'"
[ "$(show chatd.service MainPID)" = "$pid" ] || fail "reload restarted chatd"
chat_as 101 send "$big"; rc=$?
[ $rc -ne 0 ] || fail "a 2000-byte message still passes after max_frame_size = 1024 and reload"
chat_as 101 send "short one" || fail "a short message fails after the reload"
ok "after reload (same pid $pid) the 2000-byte message is refused (exit $rc), short ones pass"
chat_as 102 register --name cy || fail "chat register 102 failed after registration = open and reload (exit $?)"
chat_as 102 who >/dev/null || fail "cy, self-registered, cannot log in"
ok "registration = open (live): 102 (cy) registered herself"

step "systemctl reload fails visibly on a broken file, and chatd keeps running its config"
cp /etc/chatd/chatd.conf /root/chatd.conf.good
echo 'max_frame_size = lots' >>/etc/chatd/chatd.conf
systemctl reload chatd 2>/root/reload.err && fail "systemctl reload succeeded with a broken config file"
[ "$(show chatd.service ActiveState)" = active ] || fail "chatd is not active after a refused reload"
[ "$(show chatd.service MainPID)" = "$pid" ] || fail "a refused reload restarted chatd"
cp /root/chatd.conf.good /etc/chatd/chatd.conf
chat_as 101 send "after the refused reload" || fail "chatd does not serve after a refused reload"
ok "reload refused (ExecReload runs chatd --check-config), same pid $pid still serving"

step "chatd-metrics.socket: Prometheus metrics on 127.0.0.1:9889 once enabled"
# systemd refuses to start a socket unit while its service runs: stop chatd, start
# the socket, then chatd, which now gets the "metrics" fd with the others.
systemctl enable chatd-metrics.socket || fail "cannot enable chatd-metrics.socket"
systemctl stop chatd
systemctl start chatd-metrics.socket || fail "cannot start chatd-metrics.socket"
systemctl start chatd || fail "chatd does not start with the metrics socket"
chat_as 101 who >/dev/null || fail "chat who after the restart failed"
scrape() { exec 3<>/dev/tcp/127.0.0.1/9889 && printf 'GET /metrics HTTP/1.0\r\n\r\n' >&3 && cat <&3; }
scrape >/root/metrics.txt || fail "cannot scrape 127.0.0.1:9889"
grep -q '^HTTP/1.0 200' /root/metrics.txt || fail "metrics answered: $(head -1 /root/metrics.txt)"
grep -q 'chatd_logins_total{result="ok"}' /root/metrics.txt || fail "no login counter in the metrics"
ok "scraped $(wc -l </root/metrics.txt) lines, logins counted: $(grep 'chatd_logins_total{result="ok"}' /root/metrics.txt)"
systemctl disable --now chatd-metrics.socket

step "drop-in redis-localhost.conf: chatd's own sockets reach loopback only; the chat port serves everyone"
install -D -m 0644 -t /etc/systemd/system/chatd.service.d /usr/share/doc/chatd/examples/redis-localhost.conf
systemctl daemon-reload
systemctl restart chatd || fail "chatd does not start with redis-localhost.conf"
systemctl show chatd.service -p IPAddressDeny -p IPAddressAllow
[ -n "$(show chatd.service IPAddressDeny)" ] || fail "IPAddressDeny= not in effect"
chat_as 100 who >/dev/null || fail "chat over loopback fails with redis-localhost.conf"
addr=$(ip -4 -o addr show scope global | awk '{split($4, a, "/"); print a[1]; exit}')
if [ -n "$addr" ]; then
  timeout $T chat who --server "$addr:8889" --user 101 --password-file /root/pw.101 >/dev/null \
    || fail "chat from $addr (not loopback) to the passed-in chat port fails with redis-localhost.conf"
  ok "a client from $addr is served on the passed-in socket"
  # A socket made inside chatd's cgroup is filtered: loopback passes, $addr does not.
  cg=/sys/fs/cgroup$(awk -F: '$1 == 0 {print $3}' "/proc/$(show chatd.service MainPID)/cgroup")
  bash -c "echo \$\$ >$cg/cgroup.procs; exec 3<>/dev/tcp/127.0.0.1/8889" || fail "chatd's cgroup cannot reach 127.0.0.1"
  bash -c "echo \$\$ >$cg/cgroup.procs; exec timeout 10 bash -c 'exec 3<>/dev/tcp/$addr/8889'" 2>/dev/null \
    && fail "a socket made in chatd's cgroup reached $addr despite IPAddressDeny=any"
  ok "inside chatd's cgroup: 127.0.0.1 reachable, $addr refused"
else
  echo "skipped the non-loopback checks: the guest has no global IPv4 address"
fi

step "recommended setup (docs/SECURITY.md): Redis on a Unix socket with a password and AOF, the redis-unix-socket and redis-password drop-ins"
rcli config set appendonly yes | grep -qx OK || fail "CONFIG SET appendonly yes failed"
wait_for 60 "the first AOF rewrite" sh -c 'redis-cli info persistence | grep -q "^aof_rewrite_in_progress:0" && redis-cli info persistence | grep -q "^aof_rewrite_scheduled:0" && redis-cli info persistence | grep -q "^aof_last_bgrewrite_status:ok"'
redis_pw=$(head -c 32 /dev/urandom | base64 -w0 | tr -d '/+=')
cat >>/etc/redis/redis.conf <<EOF
port 0
unixsocket /run/redis/redis-server.sock
unixsocketperm 770
appendonly yes
appendfsync everysec
user default on >$redis_pw ~chat:* ~user &chat:* +@all -@admin -@dangerous
EOF
systemctl restart redis-server || fail "redis-server does not restart with the recommended settings"
export REDISCLI_AUTH=$redis_pw
redis_at=(-s /run/redis/redis-server.sock)
wait_for 30 "Redis on its Unix socket" sh -c 'redis-cli -s /run/redis/redis-server.sock ping 2>/dev/null | grep -qx PONG'
env -u REDISCLI_AUTH redis-cli -s /run/redis/redis-server.sock get chat:x 2>&1 | grep -q NOAUTH || fail "Redis answers without the password"
redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && fail "Redis still listens on TCP"
[ "$(rcli hget chat:user:100 username)" = ann ] || fail "ann's record did not survive the switch to AOF"
ls /var/lib/redis/appendonlydir >/dev/null || fail "no AOF directory"
install -m 0600 -o root -g root /dev/null /etc/chatd/redis-password
printf '%s\n' "$redis_pw" >/etc/chatd/redis-password
rm /etc/systemd/system/chatd.service.d/redis-localhost.conf
install -D -m 0644 -t /etc/systemd/system/chatd.service.d \
  /usr/share/doc/chatd/examples/redis-unix-socket.conf /usr/share/doc/chatd/examples/redis-password.conf
systemctl daemon-reload
timeout 120 systemctl restart chatd || fail "chatd does not start with redis-unix-socket.conf and redis-password.conf"
systemctl show chatd.service -p PrivateNetwork -p SupplementaryGroups -p Environment
[ "$(show chatd.service PrivateNetwork)" = yes ] || fail "PrivateNetwork= not in effect"
chat_as 101 msg 100 "over the unix socket" || fail "chat msg fails with Redis on the Unix socket"
chat_as 100 history --with 101 | grep -q "over the unix socket" || fail "the private message is not in ann's history"
[ -n "$addr" ] && { timeout $T chat who --server "$addr:8889" --user 101 --password-file /root/pw.101 >/dev/null || fail "chat from $addr fails without chatd's network"; }
[ "$(rcli exists chat:secret:token)" = 0 ] || fail "Redis holds chat:secret:token"
ok "chatd (no network of its own) uses Redis on its Unix socket with the password credential; clients served"

step "live sessions survive systemctl restart and a watchdog kill (fd store)"
# Two listeners and a sender stay connected throughout; after each disruption the
# sender sends on, and each listener must have every message exactly once, on the same
# TCP connection (same client port), with no "offline" notice for anyone.
[ "$(show chatd.service FileDescriptorStoreMax)" = 60000 ] || fail "FileDescriptorStoreMax=$(show chatd.service FileDescriptorStoreMax), want 60000"
mkfifo /root/send.fifo
exec 7<>/root/send.fifo
# Not chat_as: its time limit is for one command, these stay for the rest of the run.
live() { local id=$1; shift; timeout 1200 chat "$@" --server $server --user "$id" --password-file "/root/pw.$id"; }
live 100 listen --json >/root/live.100 2>/root/live.100.err &
live_ann=$!
live 101 listen --json >/root/live.101 2>/root/live.101.err &
live_bob=$!
live 102 </root/send.fifo >/root/live.102 2>&1 &
live_cy=$!
# On failure: what each client printed, and the connections as the kernel sees them.
live_report() {
  local f
  for f in /root/live.100 /root/live.100.err /root/live.101 /root/live.101.err /root/live.102; do
    echo "--- $f (last 15 lines)"; tail -n 15 "$f"
  done
  echo "--- connections to :8889"; ss -Htni 'dport = :8889 or sport = :8889'
  echo "--- the newest group messages in Redis"; rcli --no-raw XREVRANGE chat:room:lobby + - COUNT 3
}
on_fail=live_report
sent=0
send_next() { sent=$((sent + 1)); echo "live-$sent" >&7; }
# Each listener has live-1 … live-$sent, each exactly once.
all_once() {
  local f want got
  want=$(seq 1 $sent | sed 's/^/live-/' | sort)
  for f in /root/live.100 /root/live.101; do
    got=$(grep -o '"live-[0-9]*"' "$f" | tr -d '"' | sort)
    [ "$got" = "$want" ] || return 1
  done
}
# The clients' ends of their connections (nothing else talks to the chat port now).
ports() { ss -Htn state established 'dport = :8889' | awk '{print $3}' | sort | tr '\n' ' '; }
wait_for 90 "three live sessions" sh -c "[ \$(ss -Htn state established 'dport = :8889' | wc -l) = 3 ]"
send_next
wait_for 60 "live-1 at both listeners" all_once
ports0=$(ports)
echo "client ports: $ports0; NFileDescriptorStore=$(show chatd.service NFileDescriptorStore)"
[ "$(show chatd.service NFileDescriptorStore)" -ge 4 ] || fail "systemd keeps $(show chatd.service NFileDescriptorStore) descriptors, want the 3 sessions and the session table"
no_offline() { ! grep -h NotifyUserStatusMes /root/live.100 /root/live.101 | grep -q '"status":1'; }

pid0=$(show chatd.service MainPID)
t0=$EPOCHREALTIME
systemctl restart chatd.service || fail "systemctl restart failed"
send_next
wait_for 60 "live-$sent after the restart" all_once
echo "restart: $(awk "BEGIN {printf \"%.2f\", $EPOCHREALTIME - $t0}") s until both listeners had live-$sent (emulated CPU)"
[ "$(show chatd.service MainPID)" != "$pid0" ] || fail "chatd was not restarted"
[ "$(ports)" = "$ports0" ] || fail "client connections changed: $ports0 -> $(ports)"
no_offline || fail "a listener was told someone went offline: $(grep -h '"status":1' /root/live.100 /root/live.101)"
handover_log() { journalctl -u chatd --no-pager -o verbose CHAT_EVENT=handover | grep -E 'MESSAGE=|CHAT_(KEPT|CLOSED|RESUMED|RECHECKED)='; }
handover_log | tail -8
handover_log | grep -q 'CHAT_RESUMED=3' || fail "the new chatd did not resume the 3 sessions"
ok "systemctl restart: same connections ($ports0), every message once, no offline notice"

nr0=$(show chatd.service NRestarts); pid0=$(show chatd.service MainPID)
kill -STOP "$pid0"
# kill(2) returns before every thread has stopped: a thread still running could read the
# next message and take it down with the process (a crash loses what it read and did not
# answer). Once all are stopped, the message waits in the kernel's buffers for the next chatd.
all_stopped() { ! grep -h '^State:' /proc/"$pid0"/task/*/status | grep -qv 'T (stopped)'; }
wait_for 30 "every thread of chatd stopped" all_stopped
send_next
restarted() {
  [ "$(show chatd.service NRestarts)" -gt "$nr0" ] && [ "$(show chatd.service MainPID)" != "$pid0" ] &&
  [ "$(show chatd.service MainPID)" != 0 ] && [ "$(systemctl is-active chatd.service)" = active ]
}
wait_for 120 "watchdog restart" restarted
wait_for 60 "live-$sent after the watchdog kill" all_once
[ "$(ports)" = "$ports0" ] || fail "client connections changed after the watchdog kill: $ports0 -> $(ports)"
no_offline || fail "a listener was told someone went offline after the watchdog kill"
handover_log | tail -4
handover_log | grep -q 'CHAT_RECHECKED=3' || fail "after the watchdog kill the new chatd did not re-check and keep the 3 sessions"
ok "watchdog kill (no state written): same connections, users re-checked, every message once"

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
  grep -q 'registration = open' /etc/chatd/chatd.conf || fail "the upgrade lost registration = open"
  [ "$(stat -c '%a %U %G' /etc/chatd/chatd.conf)" = "640 root chatd" ] || fail "after the upgrade chatd.conf is $(stat -c '%a %U %G' /etc/chatd/chatd.conf)"
  [ "$(sha256sum </etc/chatd/token-key)" = "$key_sum" ] || fail "the upgrade changed /etc/chatd/token-key"
  [ "$(stat -c '%a %U %G' /etc/chatd/token-key)" = "600 root root" ] || fail "after the upgrade token-key is $(stat -c '%a %U %G' /etc/chatd/token-key)"
  chat_as 100 who >/dev/null || fail "chat after the upgrade failed"
  send_next
  wait_for 60 "live-$sent after the upgrade" all_once
  [ "$(ports)" = "$ports0" ] || fail "client connections changed in the upgrade: $ports0 -> $(ports)"
  no_offline || fail "a listener was told someone went offline in the upgrade"
  ok "one restart, same listening sockets, conffile kept (640 root:chatd), token-key unchanged"
  ok "the live sessions went through the upgrade: same connections ($ports0), live-1 … live-$sent each once"
else
  echo "skipped: no upgrade .deb given"
fi

exec 7>&-
kill "$live_ann" "$live_bob" "$live_cy" 2>/dev/null; wait "$live_ann" "$live_bob" "$live_cy" 2>/dev/null

step "apt-get purge: nothing left behind; Redis data untouched"
rm -rf /etc/systemd/system/chatd.service.d   # the test's own drop-ins
# Durable data: users, group history, private conversations, inboxes. (chatd itself
# drops its presence keys when it stops; that is chatd, not the package.)
durable() { rcli --scan --pattern 'chat:*' | grep -E '^chat:(user|room|dm|inbox):' | sort; }
keys_before=$(durable)
apt-get purge -y -q chatd chat-client >/root/purge.log 2>&1 || { cat /root/purge.log; fail "apt-get purge failed"; }
systemctl daemon-reload
# The administrator's own file stays; what the package made goes.
[ "$(ls -A /etc/chatd 2>&1)" = redis-password ] || fail "after purge /etc/chatd holds: $(ls -A /etc/chatd 2>&1 | tr '\n' ' ')"
dpkg-statoverride --list /etc/chatd/chatd.conf && fail "the statoverride of chatd.conf is left"
rm -r /etc/chatd
ok "purge removed chatd.conf, token-key and the statoverride, kept the administrator's redis-password"
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
[ "$(rcli hget chat:user:100 username)" = ann ] || fail "ann's record is gone from Redis"
ok "no unit, file, process, user or group left; Redis untouched: $(tr '\n' ' ' <<<"$keys_before")"

echo; echo "ALL CHATD PACKAGE CHECKS PASSED"
