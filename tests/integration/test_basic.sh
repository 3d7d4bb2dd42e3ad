#!/bin/bash
# Foundation: static binaries, ping/info over a unix socket, exit codes,
# pipelining, several clients, bad input, vsock bind, clean SIGTERM.
source "$(dirname "$0")/../lib/lib.sh"
PY="python3 -B"
export PYTHONPATH=$TOP/tests/lib

if [ "$MODE" = release ]; then
	check_match "guestd is statically linked" "statically linked" "$(file -L "$GUESTD")"
	check_match "guestctl is statically linked" "statically linked" "$(file -L "$GUESTCTL")"
	allocs=$(nm "$GUESTD" | awk '$3 ~ /^(malloc|calloc|realloc|free)$/ {print $3}' | tr '\n' ' ')
	check_eq "guestd links no malloc/calloc/realloc/free" "" "$allocs"
fi

S=$T/g.sock
start_agent "$S" || not_ok "agent starts"
check "ping exits 0" "$GUESTCTL" --unix "$S" ping
out=$("$GUESTCTL" --unix "$S" --json info)
check "info --json is valid JSON with versions" $PY -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["ok"] is True and d["protocol_version"] == 1, d
assert d["agent_version"] and d["kernel"] and d["hostname"], d
assert "ping" in d["capabilities"] and d["boot_id"], d
' "$out"
check_match "human info shows the agent version" "agent_version +[0-9]" "$("$GUESTCTL" --unix "$S" info)"
check_eq "socket is mode 0600" "600" "$(stat -c %a "$S")"

"$GUESTCTL" --unix "$T/none.sock" ping 2>/dev/null; check_eq "no agent: exit 3" 3 $?
"$GUESTCTL" ping 2>/dev/null; check_eq "no target: exit 2" 2 $?
"$GUESTCTL" --unix "$S" frobnicate 2>/dev/null; check_eq "unknown command: exit 2" 2 $?
"$GUESTCTL" --unix "$S" --timeout abc ping 2>/dev/null; check_eq "bad timeout: exit 2" 2 $?
out=$("$GUESTCTL" --unix "$T/none.sock" --json ping)
check_match "connect failure in JSON" '"ok":false.*"error":"connect".*"exit_code":3' "$out"

# A listener that accepts and never answers: guestctl must time out (exit 4).
$PY -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(8)
c = s.accept(); time.sleep(10)' "$T/mute.sock" & _pids+=($!)
wait_for_socket "$T/mute.sock"
"$GUESTCTL" --unix "$T/mute.sock" --timeout 300 ping 2>/dev/null; check_eq "silent agent: exit 4" 4 $?

check "pipelined requests answered in order, bad input answered, agent keeps serving" $PY - "$S" <<'PYEOF'
import sys, struct
from gdproto import *
c = Conn(sys.argv[1])
# 100 pings in one write, answered in order
c.send(b"".join(frame(OP["ping"], id=i) for i in range(1, 101)))
ids = [c.recv_frame()["id"] for _ in range(100)]
assert ids == list(range(1, 101)), ids
# garbage, then a valid ping: one bad-frame error, then the answer
c.send(b"\x00garbage\xffGD\x01" + frame(OP["ping"], id=7))
r = c.recv_frame(); assert r["status"] == S["bad_frame"], r
r = c.recv_frame(); assert r["status"] == S["ok"] and r["id"] == 7, r
# garbage alone (no frame after it) is answered too, once
c.send(b"\x01\x02\x03 not a frame at all")
r = c.recv_frame(); assert r["status"] == S["bad_frame"] and r["id"] == 0, r
r = c.call(OP["ping"], id=77); assert r["status"] == S["ok"] and r["id"] == 77, r
# unknown op
r = c.call(999, id=8); assert r["status"] == S["unknown_op"] and r["id"] == 8, r
# malformed TLV (length runs past the payload)
r = c.call(OP["hello"], b"\x02\x00\x09\x00ab", id=9); assert r["status"] == S["bad_tlv"], r
# wrong TLV width
r = c.call(OP["hello"], tlv(2, b"\x01"), id=10); assert r["status"] == S["bad_tlv"], r
# bad header version, unknown flags
c.send(frame(OP["ping"], id=11, version=2)); r = c.recv_frame()
assert r["status"] == S["bad_version"] and r["id"] == 11, r
c.send(frame(OP["ping"], id=12, flags=0x80)); r = c.recv_frame()
assert r["status"] == S["bad_flags"], r
# a response sent to the agent
c.send(frame(OP["ping"], id=13, flags=F_RESPONSE)); r = c.recv_frame()
assert r["status"] == S["bad_flags"], r
# length at the limit (8192) is accepted; one past is refused and skipped
pad = tlv(1000, b"x" * (MAX_PAYLOAD - 4))
r = c.call(OP["ping"], pad, id=14); assert r["status"] == S["ok"], r
c.send(frame(OP["ping"], b"y" * (MAX_PAYLOAD + 1), id=15))
r = c.recv_frame(); assert r["status"] == S["too_big"] and r["id"] == 15, r
r = c.call(OP["ping"], id=16); assert r["status"] == S["ok"] and r["id"] == 16, r
PYEOF

check "16 clients at once each get their own answers" $PY - "$S" <<'PYEOF'
import sys
from gdproto import *
cs = [Conn(sys.argv[1]) for _ in range(16)]
for n, c in enumerate(cs):
    c.send(b"".join(frame(OP["ping"], id=n * 1000 + i) for i in range(20)))
for n, c in enumerate(cs):
    for i in range(20):
        r = c.recv_frame(); assert r["id"] == n * 1000 + i and r["status"] == 0
PYEOF

AGENT_LOG=$T/dup.log "$GUESTD" --no-vsock --local-sock "" --config /nonexistent --unix "$S" 2>"$T/dup.err"
rc=$?
check_eq "second agent on the same unix path: exit 1" 1 $rc
check_match "busy unix path: clear error" "another agent is listening" "$(cat "$T/dup.err")"

# AF_VSOCK: bind/listen on a free port, and a clear error on a busy one.
port=$((20000 + RANDOM % 20000))
"$GUESTD" --local-sock "" --config /nonexistent --cmdline /nonexistent --vsock-port $port --unix "$T/v.sock" >"$T/v.log" 2>&1 &
vpid=$!; _pids+=($vpid)
wait_for_socket "$T/v.sock"
if grep -q "no AF_VSOCK" "$T/v.log"; then
	ok "# SKIP no AF_VSOCK in this kernel"
else
	check_log "vsock listener on port $port" "listening on vsock port $port" "$T/v.log"
	"$GUESTD" --local-sock "" --config /nonexistent --cmdline /nonexistent --vsock-port $port >"$T/v2.log" 2>&1
	check_eq "busy vsock port: exit 1" 1 $?
	check_log "busy vsock port: clear error" "vsock port $port: port already in use" "$T/v2.log"
fi
kill -TERM $vpid; wait $vpid; check_eq "SIGTERM: exit 0" 0 $?
check "SIGTERM removes the unix socket" test ! -e "$T/v.sock"

"$GUESTD" --bogus-flag 2>/dev/null; check_eq "unknown flag: exit 2" 2 $?
"$GUESTD" --vsock-port 0 --no-vsock 2>/dev/null; check_eq "vsock-port 0 refused: exit 2" 2 $?
check_match "guestd --help lists flags" "--vsock-port N" "$("$GUESTD" --help)"
done_testing
