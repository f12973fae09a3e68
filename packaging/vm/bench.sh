#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Runs INSIDE the Debian 12 guest (root, systemd is PID 1) after apt installed chatd's
# .deb. Started by scripts/bench-vm. chatd runs as the package installs it — socket
# activation, its unit's LimitNOFILE, the sandbox, the watchdog — with a drop-in that
# lowers the scrypt cost, lifts the limits meant for abuse, and gives Redis commands and
# the watchdog ten times their time: the guest is fully emulated, 10-20x slower than
# the host, and hashing would be all that is measured. chat-bench then connects, registers
# and logs in N users and holds them idle; its JSON line has sessions held and RSS per
# session, which is what an emulated machine can say anything about.
# With scenario "restart" chat-bench instead holds N sessions while 10 of them send group
# messages at RATE msg/s, runs `systemctl restart chatd.service` after 20 s and reports
# sessions dropped, the pause, messages lost and delayed; dropped sessions come back with
# their resume tokens (--reconnect).
# Arguments: N (default 100000), scenario idle|restart (default idle), RATE (default 2).
# Exit status: chat-bench's (0 = every session held; restart: the run completed).
set -uo pipefail
n=${1:-100000}
scenario=${2:-idle}
rate=${3:-2}
sources=$(( n / 20000 + 2 ))   # about 28k ephemeral ports per source address
bench=/root/files/chat-bench
say() { echo "== $*"; }

say "guest: $(nproc) vCPUs, $(free -m | awk '/Mem:/{print $2}') MiB, $(uname -r), $(systemd --version | head -1)"
systemctl is-active --quiet redis-server || systemctl start redis-server
redis-cli ping | grep -qx PONG || { echo "redis does not answer" >&2; exit 1; }

# The client side needs the descriptors and ports; chatd gets its own from its unit.
sysctl -q -w net.ipv4.ip_local_port_range="1024 65000" net.core.somaxconn=65535 \
  net.ipv4.tcp_max_syn_backlog=65535 fs.file-max=2000000
ulimit -n 400000

mkdir -p /etc/systemd/system/chatd.service.d
cat >/etc/systemd/system/chatd.service.d/bench.conf <<'EOF'
[Service]
Environment=CHATD_SCRYPT_N=16 CHATD_SCRYPT_R=1 CHATD_LOG_LEVEL=warning CHATD_REGISTRATION=open
Environment=CHATD_IDLE_TIMEOUT=0 CHATD_LOGIN_TIMEOUT=0 CHATD_RATE_LIMIT=0
Environment=CHATD_REGISTRATIONS_PER_ADDRESS=0 CHATD_LOGIN_FAILURES_PER_ADDRESS=0
Environment=CHATD_LOGIN_FAILURES_PER_USER=0 CHATD_MAX_CONNECTIONS=1000000 CHATD_CONNECTIONS_PER_ADDRESS=0
Environment=CHATD_REDIS_TIMEOUT=50
WatchdogSec=300s
EOF
systemctl daemon-reload
systemctl start chatd.service || { journalctl -u chatd --no-pager -n 40; exit 1; }
pid=$(systemctl show -p MainPID --value chatd.service)
say "chatd pid $pid, LimitNOFILE $(systemctl show -p LimitNOFILE --value chatd.service), $(grep VmRSS /proc/$pid/status)"

common=(--server 127.0.0.1:8889 --chatd-pid "$pid" -n "$n" --register --sources "$sources" --window 256
        --request-timeout 600 --max-time 5400 --json "${ARTIFACTS_DIR:-/tmp}/results.jsonl")
# Progress every few seconds on stderr; the JSON line on stdout and in the artifacts.
if [[ $scenario == restart ]]; then
  # Two runs, the baseline first: chatd without the fd store (every session dropped and
  # resumed with its token), then as packaged (the sessions kept). Each its own users.
  rc=0
  for mode in baseline kept; do
    if [[ $mode == baseline ]]; then
      printf '[Service]\nFileDescriptorStoreMax=0\nUnsetEnvironment=FDSTORE\n' >/etc/systemd/system/chatd.service.d/zz-no-store.conf
      base=1000000
    else
      rm -f /etc/systemd/system/chatd.service.d/zz-no-store.conf
      base=2000000
    fi
    systemctl daemon-reload
    systemctl restart chatd.service || { journalctl -u chatd --no-pager -n 40; exit 1; }
    pid=$(systemctl show -p MainPID --value chatd.service)
    common[3]=$pid
    say "chat-bench restart ($mode: FileDescriptorStoreMax=$(systemctl show -p FileDescriptorStoreMax --value chatd.service)) -n $n --rate $rate"
    # The probe each sender sends when the command returns times the pause, whatever the rate:
    # the rate is kept low for the emulated guest (N deliveries per message).
    "$bench" restart "${common[@]}" --user-base $base --senders 10 --rate "$rate" --size 100 --warmup 20 --duration 90 \
      --drain 60 --restart-command 'systemctl restart chatd.service' --reconnect --reconnect-window 1024 || rc=$?
    journalctl -u chatd --no-pager -o cat CHAT_EVENT=handover | tail -2
  done
  pid=$(systemctl show -p MainPID --value chatd.service)
else
  say "chat-bench idle -n $n --sources $sources"
  "$bench" idle "${common[@]}" --hold 10
  rc=$?
fi

say "after the run (exit $rc)"
echo "chatd NRestarts=$(systemctl show -p NRestarts --value chatd.service) $(grep -E 'VmRSS|VmHWM' /proc/$pid/status | tr -s ' \n' ' ')"
chatctl --json status 2>&1 | head -c 600; echo
ss -s | head -3
free -m
say "chatd's warnings, counted"
journalctl -u chatd --no-pager -p warning -o cat | sort | uniq -c | sort -rn | head -20
journalctl -u chatd --no-pager -n 5 -o short-monotonic
exit $rc
