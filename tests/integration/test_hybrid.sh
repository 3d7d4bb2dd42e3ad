#!/bin/bash
# Hybrid vsock (Firecracker / Cloud Hypervisor): guestctl --hybrid through
# tests/lib/hybrid_relay.py to guestd's unix socket; the relay's answers that
# guestctl must refuse; wait-ready across a relay whose guest is not up.
source "$(dirname "$0")/../lib/lib.sh"
# Debian's python3 (tests/deps.sh): a version-manager shim on PATH can cost
# half a second a start, and these tests start many.
PY="python3 -B"; [ -x /usr/bin/python3 ] && PY="/usr/bin/python3 -B"
RELAY="$TOP/tests/lib/hybrid_relay.py"

check_has() { if [[ "$3" == *"$2"* ]]; then ok "$1"; else not_ok "$1" "[$3] lacks [$2]"; fi; }

# relay UDS PORT GUEST [ARGS...]: start a relay, wait for its socket (the
# relay renames it into place once listening, so existence is enough).
relay() {
	local i
	$PY "$RELAY" "$@" >>"$T/relay.log" 2>&1 &
	_pids+=($!)
	for ((i = 0; i < 500; i++)); do [ -S "$1" ] && return 0; sleep 0.01; done
	return 1
}

G=$T/g.sock
start_agent "$G" || not_ok "agent starts"
relay "$T/v.sock" 2761 "$G" || not_ok "relay starts"
relay "$T/v52.sock" 52 "$G"

out=$("$GUESTCTL" --hybrid "$T/v.sock" ping)
check_eq "ping through the relay, default port 2761: exit 0" 0 $?
check_match "target shown as hybrid:PATH:2761" "target +hybrid:$T/v.sock:2761" "$out"
out=$("$GUESTCTL" --json --hybrid "$T/v52.sock:52" info)
check "info --json through the relay on port 52" $PY -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["ok"] is True and d["target"].endswith("v52.sock:52"), d
assert d["protocol_version"] == 1 and d["agent_version"], d' "$out"

err=$("$GUESTCTL" --hybrid "$T/v.sock:52" ping 2>&1)
check_eq "wrong port: exit 3" 3 $?
check_match "wrong port: the relay closed, named in the error" \
	"hybrid relay closed the connection after CONNECT 52 without answering \(nothing listens on guest port 52\?\)" "$err"
out=$("$GUESTCTL" --json --hybrid "$T/v.sock:52" ping)
check_match "wrong port in JSON: error connect, exit_code 3" \
	'"ok":false,"error":"connect","message":"hybrid relay closed.*"exit_code":3' "$out"

# The exact bytes guestctl sends: CONNECT, space, decimal port, LF.
# (Fakes serve in a loop: wait_for_socket's probe is a connection too.)
$PY -c '
import socket, sys
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(1)
while True:
    c, _ = s.accept(); got = b""
    while not got.endswith(b"\n") and len(got) < 64:
        b = c.recv(1)
        if not b: break
        got += b
    c.close()
    if got: open(sys.argv[2], "wb").write(got)' "$T/rec.sock" "$T/rec.bin" & _pids+=($!)
wait_for_socket "$T/rec.sock"
"$GUESTCTL" --hybrid "$T/rec.sock:4294967295" ping 2>/dev/null
check_eq "handshake bytes are exactly 'CONNECT 4294967295\\n'" \
	"434f4e4e45435420343239343936373239350a" "$(od -An -tx1 "$T/rec.bin" | tr -d ' \n')"

# Answers guestctl accepts: OK, space, 1..10 digits within 32 bits, LF.
n=0
for reply in 'OK 4294967295\n' 'OK 0000000001\n' 'OK 7\n'; do
	n=$((n + 1)); relay "$T/ok$n.sock" 2761 "$G" --reply "$reply"
	"$GUESTCTL" --hybrid "$T/ok$n.sock" ping >/dev/null
	check_eq "relay answer '$reply' accepted" 0 $?
done
# ...and what it refuses (exit 5, the relay's words quoted).
for case in 'OK 00000000001\n|15 bytes, one past the 14-byte limit' \
	    'OK 4294967296\n|port past 32 bits' 'ok 7\n|lower case' \
	    'OK 7\r\n|CR LF' 'OK \n|no digits' 'OK 7 \n|trailing space' \
	    'ERR no such port\n|an error line' 'OK 12|partial line, relay holds'; do
	reply=${case%%|*} why=${case#*|} hold=()
	n=$((n + 1))
	# --hold: the relay sends its partial line and nothing after it.
	# Were it forwarding the guest, any byte guestd sends unasked would
	# follow "OK 12" and make a bad line, exit 5: CI saw that once, in a
	# run where this machine's clock stepped, and guestd sends CLOCK_JUMP
	# to every connection when the clock steps.
	[ "$why" = "partial line, relay holds" ] && hold=(--hold)
	relay "$T/bad$n.sock" 2761 "$G" --reply "$reply" "${hold[@]}"
	err=$("$GUESTCTL" --timeout 500 --hybrid "$T/bad$n.sock" ping 2>&1)
	rc=$?
	if [ ${#hold[@]} = 1 ]; then
		if [ $rc = 4 ]; then ok "relay answer '$reply' ($why): exit 4"
		else not_ok "relay answer '$reply' ($why): exit 4" "exit $rc: $err"; fi
		continue
	fi
	check_eq "relay answer '$reply' ($why): exit 5" 5 $rc
	check_has "  error quotes the relay" "hybrid relay answered \"$reply\" to CONNECT 2761" "$err"
done

# A relay that closes after a partial answer.
$PY -c '
import socket, sys
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(1)
while True:
    c, _ = s.accept()
    if c.recv(64): c.sendall(b"OK 12")
    c.close()' "$T/half.sock" & _pids+=($!)
wait_for_socket "$T/half.sock"
err=$("$GUESTCTL" --hybrid "$T/half.sock" ping 2>&1)
check_eq "relay closes after 'OK 12': exit 5" 5 $?
check_match "  error quotes the partial answer" 'answered "OK 12" to CONNECT 2761' "$err"

relay "$T/hold.sock" 2761 "$G" --hold
err=$("$GUESTCTL" --timeout 300 --hybrid "$T/hold.sock" ping 2>&1)
check_eq "relay never answers: exit 4" 4 $?
check_match "  timeout names the handshake" "timed out after 300 ms waiting for the hybrid relay's OK" "$err"

# wait-ready: the relay is up before the guest listens, as when a VM boots.
relay "$T/boot.sock" 2761 "$T/late.sock"
(sleep 0.4; exec "$GUESTD" --no-vsock --config /nonexistent --cmdline /nonexistent \
	--unix "$T/late.sock" >>"$T/late.log" 2>&1) & _pids+=($!)
out=$("$GUESTCTL" --hybrid "$T/boot.sock" wait-ready --timeout 5000)
check_eq "wait-ready through a relay whose guest comes up late: exit 0" 0 $?
check_match "  it took several attempts" "ready after [0-9]+ ms \(([2-9]|[1-9][0-9]+) attempts\)" "$out"
"$GUESTCTL" --hybrid "$T/v.sock:52" wait-ready --timeout 200 2>/dev/null
check_eq "wait-ready on a port nobody listens on: exit 4" 4 $?

# Target forms.
"$GUESTCTL" --hybrid "" ping 2>/dev/null; check_eq "empty --hybrid: exit 2" 2 $?
"$GUESTCTL" --hybrid "$T/v.sock:4294967296" ping 2>/dev/null
check_eq "--hybrid port past 32 bits: exit 2" 2 $?
long=/tmp/$(printf 'x%.0s' $(seq 102))  # 107 bytes: the longest unix path
"$GUESTCTL" --hybrid "$long:2761" ping 2>/dev/null
check_eq "--hybrid path of 107 bytes accepted (no socket: exit 3)" 3 $?
"$GUESTCTL" --hybrid "${long}y:2761" ping 2>/dev/null
check_eq "--hybrid path of 108 bytes: exit 2" 2 $?
printf 'unix:%s\nhybrid:%s\nhybrid:%s:52\n' "$G" "$T/v.sock" "$T/v52.sock" >"$T/mixed"
out=$("$GUESTCTL" --targets "$T/mixed" ping)
check_eq "a targets file mixing unix and hybrid: exit 0" 0 $?
check_match "  summary: 3 ok" "3 targets: 3 ok, 0 failed" "$out"
done_testing
