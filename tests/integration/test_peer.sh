#!/bin/bash
# Peer policy on the unix socket: SO_PEERCRED against allow-uid/allow-gid
# (root always allowed), refusal before a byte is read, with a
# NOT_PERMITTED notice and a rate-limited log line. AF_VSOCK's CID policy
# shares the code path after accept and is unit-tested (test_peer.c); this
# machine has no vsock loopback to connect from another CID.
source "$(dirname "$0")/../lib/lib.sh"
PY="python3 -B"
export PYTHONPATH=$TOP/tests/lib

out=$("$GUESTD" --no-vsock --config /nonexistent --cmdline /nonexistent \
	--unix "$T/x.sock" --allow-cid 3,x 2>&1); rc=$?
check_eq "bad allow-cid entry: exit 1" 1 $rc
check_match "bad allow-cid entry: clear error" "allow-cid: 'x' is not a number" "$out"
out=$("$GUESTD" --no-vsock --config /nonexistent --cmdline /nonexistent \
	--unix "$T/x.sock" --allow-uid 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17 2>&1); rc=$?
check_eq "17 allow-uid entries: exit 1" 1 $rc
check_match "17 allow-uid entries: clear error" "more than 16 entries" "$out"

if [ "$(id -u)" != 0 ]; then
	ok "# SKIP unix peer checks need root (to connect as another uid)"
	done_testing; exit
fi

# A client run as nobody (65534) with the system python; the socket and
# its directory are opened up to everyone so that the file mode, which
# already keeps others out, does not decide.
as_user() { local id=$1; shift; setpriv --reuid="$id" --regid="$id" --clear-groups "$@"; }
as_nobody() { as_user 65534 "$@"; }
chmod 711 "$T"
PY=/usr/bin/python3
CLIENT='
import sys
from gdproto import *
c = Conn(sys.argv[1])
try:
    c.send(frame(OP["ping"], id=9))
except OSError:
    pass
r = c.recv_frame()
print("status=%s" % (r and S_NAMES[r["status"]]))
c.s.settimeout(2)   # a refused peer is closed at once; a served one is not
try:
    print("closed=%s" % (c.recv_frame() is None))
except ConnectionResetError:   # closed with our ping unread
    print("closed=True")
except OSError:                # still open after 2 s: served, not closed
    print("closed=False")
'
CLIENT="S_NAMES = {v: k for k, v in __import__('gdproto').S.items()}
$CLIENT"

S=$T/p.sock
start_agent "$S"
chmod 666 "$S"
out=$(as_nobody $PY -c "$CLIENT" "$S" 2>&1)
check_match "uid 65534 refused with not-permitted" "status=not_permitted" "$out"
check_match "and closed" "closed=True" "$out"
check_match "refusal logged with uid, gid and pid" \
	"refused unix peer uid 65534 gid 65534 pid [0-9]+" "$(cat "$T/agent.log")"
check "root is still served" "$GUESTCTL" --unix "$S" ping

# A burst of refused peers is logged at most 5 times a second, then summed.
as_nobody $PY -c '
import socket, sys, time
for i in range(50):
    s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.recv(100); s.close()
time.sleep(1.1)
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.recv(100)
' "$S"
n=$(grep -c "refused unix peer" "$T/agent.log")
check "refusal log rate-limited ($n lines for 52 refusals)" test "$n" -le 12
check_log "suppressed refusals summed" "[0-9]+ more refusals not logged" "$T/agent.log"
kill "$AGENT_PID"

AGENT_LOG=$T/uid.log start_agent "$T/u.sock" --allow-uid 1000,65534
chmod 666 "$T/u.sock"
check_match "allow-uid 65534: served" "status=ok" "$(as_nobody $PY -c "$CLIENT" "$T/u.sock" 2>&1)"
kill "$AGENT_PID"

AGENT_LOG=$T/gid.log start_agent "$T/g.sock" --allow-gid 65534
chmod 666 "$T/g.sock"
check_match "allow-gid 65534: served" "status=ok" "$(as_nobody $PY -c "$CLIENT" "$T/g.sock" 2>&1)"
check_match "allow-gid 65534: uid 1000 gid 1000 still refused" "status=not_permitted" \
	"$(as_user 1000 $PY -c "$CLIENT" "$T/g.sock" 2>&1)"
kill "$AGENT_PID"

# Config file and kernel command line reach the same keys.
printf 'allow-uid = 65534\n' >"$T/guestd.conf"
"$GUESTD" --no-vsock --config "$T/guestd.conf" --cmdline /nonexistent --unix "$T/c.sock" \
	>>"$T/c.log" 2>&1 & _pids+=($!)
wait_for_socket "$T/c.sock"; chmod 666 "$T/c.sock"
check_match "allow-uid from the config file" "status=ok" "$(as_nobody $PY -c "$CLIENT" "$T/c.sock" 2>&1)"
done_testing
