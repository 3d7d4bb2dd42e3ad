#!/bin/bash
# Fleets: 1,000 guestd processes on unix sockets, `guestctl --targets`
# ping and info across all of them, dead targets mixed in, the open-file
# limit, a full listen backlog, and the targets file's limits. Wall times
# are printed as '# wall' figures, never checked against a bound.
source "$(dirname "$0")/../lib/lib.sh"
# Debian's python3 (tests/deps.sh): a version-manager shim on PATH can cost
# half a second a start, and these tests start many.
PY="python3 -B"; [ -x /usr/bin/python3 ] && PY="/usr/bin/python3 -B"
# Under ASan (make check) an agent costs ~7 MB and its start is slow: the
# engine is exercised by the ASan guestctl against a fleet of 100.
if [ "${MODE:-release}" = asan ]; then N=${FLEET_N:-100}; else N=${FLEET_N:-1000}; fi
BATCH=100
F=$T/fleet
mkdir -p "$F"

ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

# wait_accepting FIRST LAST: until $F/FIRST.sock .. $F/LAST.sock all accept
# (one python for the lot: lib.sh's wait_for_socket starts one per socket).
wait_accepting() {
	$PY - "$F" "$1" "$2" <<'PYEOF'
import socket, sys, time
d, first, last = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
end = time.time() + 20
for i in range(first, last + 1):
    while True:
        s = socket.socket(socket.AF_UNIX)
        try:
            s.connect("%s/%d.sock" % (d, i)); break
        except OSError:
            if time.time() > end: sys.exit(1)
            time.sleep(0.01)
        finally:
            s.close()
PYEOF
}

t0=$(date +%s%N)
for ((i = 0; i < N; i++)); do
	"$GUESTD" --no-vsock --config /nonexistent --cmdline /nonexistent \
		--unix "$F/$i.sock" >/dev/null 2>&1 &
	_pids+=($!)
	# a batch at a time, so the machine's other users keep breathing
	(( (i + 1) % BATCH == 0 )) && wait_accepting $((i + 1 - BATCH)) $i
done
wait_accepting 0 $((N - 1))
up=$(find "$F" -name '*.sock' -type s | wc -l)
check_eq "$N agents listening" "$N" "$up"
echo "# wall start $N agents: $(ms_since $t0) ms"

{
	echo "# the fleet: one target a line"
	for ((i = 0; i < N; i++)); do
		echo "unix:$F/$i.sock"
		(( i % 250 == 0 )) && echo ""
	done
} >"$T/targets"

t0=$(date +%s%N)
"$GUESTCTL" --targets "$T/targets" ping >"$T/ping.out" 2>"$T/ping.err"
rc=$?
echo "# wall ping $N targets, --parallel 64: $(ms_since $t0) ms"
check_eq "ping across the fleet: exit 0" 0 $rc
check_eq "ping: one 'ok' line per target" "$N" "$(grep -c "^unix:$F/[0-9]*\.sock ok " "$T/ping.out")"
check_match "ping: summary" "^$N targets: $N ok, 0 failed \([0-9]+ ms\)$" "$(tail -n 1 "$T/ping.out")"
check_eq "ping: nothing on stderr" "" "$(cat "$T/ping.err")"

t0=$(date +%s%N)
"$GUESTCTL" --json --parallel 1024 --targets "$T/targets" info >"$T/info.json"
rc=$?
echo "# wall info $N targets --json, --parallel 1024: $(ms_since $t0) ms"
check_eq "info --json across the fleet: exit 0" 0 $rc
check "info: $N objects from $N different agents, then the summary" $PY - "$T/info.json" "$N" <<'PYEOF'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
n = int(sys.argv[2])
objs = [json.loads(l) for l in lines]
runs, summary = objs[:-1], objs[-1]
assert len(runs) == n, len(runs)
assert all(r["ok"] is True and r["command"] == "info" for r in runs)
assert len({r["pid"] for r in runs}) == n, "answers must come from distinct agents"
assert len({r["target"] for r in runs}) == n
assert all(isinstance(r["rtt_ns"], int) and r["attempts"] == 1 for r in runs)
assert summary == dict(summary=True, command="info", targets=n, ok=n, failed=0,
                       wall_ns=summary["wall_ns"], exit_code=0), summary
PYEOF

# Dead targets mixed in: missing sockets, stale socket files nobody listens
# on, a listener that never answers, and a bad vsock CID.
for i in 1 2 3; do echo "unix:$T/missing$i.sock"; done >"$T/dead"
for i in 1 2; do
	$PY -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$T/stale$i.sock"
	echo "unix:$T/stale$i.sock" >>"$T/dead"
done
$PY -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(8)
c = s.accept(); time.sleep(30)' "$T/mute.sock" & _pids+=($!)
wait_for_socket "$T/mute.sock"
echo "unix:$T/mute.sock" >>"$T/dead"
echo "vsock:4294967295:2761" >>"$T/dead"
ndead=$(wc -l <"$T/dead")
t0=$(date +%s%N)
"$GUESTCTL" --timeout 1000 --targets "$T/targets" --targets "$T/dead" \
	--unix "$F/0.sock" ping >"$T/mixed.out" 2>&1
rc=$?
echo "# wall ping $N + $ndead dead + 1 flag target: $(ms_since $t0) ms"
check_eq "some targets dead: exit 6" 6 $rc
check_match "summary counts the dead" "^$((N + ndead + 1)) targets: $((N + 1)) ok, $ndead failed" "$(tail -n 1 "$T/mixed.out")"
check_eq "missing sockets: connect errors" 3 "$(grep -c "missing[0-9].sock error connect: connect: No such file" "$T/mixed.out")"
check_eq "stale sockets: connection refused" 2 "$(grep -c "stale[0-9].sock error connect: connect: Connection refused" "$T/mixed.out")"
check_match "mute listener: timeout" "mute.sock error timeout: timed out after 1000 ms waiting for the agent" "$(cat "$T/mixed.out")"
out=$("$GUESTCTL" --json --timeout 1000 --targets "$T/dead" ping | tail -n 1)
check_match "JSON summary of the dead: $ndead failed, exit_code 6" \
	"^\{\"summary\":true,\"command\":\"ping\",\"targets\":$ndead,\"ok\":0,\"failed\":$ndead,\"wall_ns\":[0-9]+,\"exit_code\":6\}$" "$out"
"$GUESTCTL" --targets "$T/dead" --timeout 300 --parallel 1 ping >/dev/null
check_eq "dead targets one at a time (--parallel 1): exit 6" 6 $?

# The open-file limit: a soft limit too low is raised to the hard one; a
# hard limit too low caps the connections in flight, and all still answer.
out=$(ulimit -Sn 64; "$GUESTCTL" --parallel 1024 --targets "$T/targets" ping 2>&1 | tail -n 1)
check_match "soft fd limit 64, --parallel 1024: all answer" "^$N targets: $N ok, 0 failed" "$out"
out=$(ulimit -n 100; "$GUESTCTL" --parallel 1024 --targets "$T/targets" ping 2>&1)
check_match "hard fd limit 100: all answer" "$N targets: $N ok, 0 failed" "$out"
check_match "  and guestctl says how many fit" "open-file limit allows 84 connections at a time, not $N" "$out"

# A full listen backlog (EAGAIN on a unix connect) is retried within the
# timeout, not a failure: stop an agent, fill its backlog, resume it.
B=$T/backlog.sock
start_agent "$B"
bpid=$AGENT_PID
kill -STOP $bpid
filled=$($PY - "$B" <<'PYEOF'
import socket, sys
n = 0
while True:
    s = socket.socket(socket.AF_UNIX); s.setblocking(False)
    try:
        s.connect(sys.argv[1])
    except BlockingIOError:
        break
    s.close()  # still queued: the agent accepts it, reads EOF, drops it
    n += 1
print(n)
PYEOF
)
check_match "backlog filled ($filled queued)" "^[0-9]+$" "$filled"
err=$("$GUESTCTL" --timeout 300 --unix "$B" ping 2>&1)
check_eq "backlog full for the whole timeout: exit 4" 4 $?
check_match "  the error names the backlog" "timed out after 300 ms connecting \([0-9]+ attempts; last: connect: Resource temporarily unavailable \(the agent's listen backlog is full\)\)" "$err"
(sleep 0.3; kill -CONT $bpid) &
resumer=$!
out=$("$GUESTCTL" --json --timeout 5000 --unix "$B" ping)
check_match "backlog full, agent resumes: ping retried and answered" '"ok":true.*"attempts":([2-9]|[1-9][0-9]+)\}$' "$out"
wait $resumer

# The targets file: comments, blank lines, spaces; errors with line numbers.
printf '# c\n\n   unix:%s  \n\t# indented comment\n' "$F/1.sock" >"$T/t1"
"$GUESTCTL" --targets "$T/t1" ping >/dev/null; check_eq "comments, blanks, spaces ignored" 0 $?
printf 'unix:%s\n\nnonsense\n' "$F/1.sock" >"$T/t2"
err=$("$GUESTCTL" --targets "$T/t2" ping 2>&1)
check_eq "bad line: exit 2" 2 $?
check_match "  error names file and line" "$T/t2:3: bad target 'nonsense'" "$err"
err=$("$GUESTCTL" --targets "$T/nope" ping 2>&1)
check_eq "missing targets file: exit 2" 2 $?
pad=$(printf '%*s' $((255 - 5 - ${#F} - 7)) '')
printf '%sunix:%s\n' "$pad" "$F/1.sock" >"$T/t255"
check_eq "a 255-byte line is read" 255 $(( $(wc -c <"$T/t255") - 1 ))
"$GUESTCTL" --targets "$T/t255" ping >/dev/null; check_eq "  and works" 0 $?
printf ' %sunix:%s\n' "$pad" "$F/1.sock" >"$T/t256"
err=$("$GUESTCTL" --targets "$T/t256" ping 2>&1)
check_eq "a 256-byte line: exit 2" 2 $?
check_match "  error says so" "t256:1: line longer than 255 bytes" "$err"
yes "unix:$T/missing.sock" | head -n 65536 >"$T/max"
out=$("$GUESTCTL" --targets "$T/max" ping 2>/dev/null | tail -n 1)
check_match "65536 targets (the limit) run" "^65536 targets: 0 ok, 65536 failed" "$out"
echo "unix:$T/missing.sock" >>"$T/max"
err=$("$GUESTCTL" --targets "$T/max" ping 2>&1)
check_eq "65537 targets: exit 2" 2 $?
check_match "  error says so" "max:65537: more than 65536 targets" "$err"
out=$(head -n 20 "$T/targets" | "$GUESTCTL" --targets - ping | tail -n 1)
check_match "--targets - reads standard input" "^18 targets: 18 ok, 0 failed" "$out"
"$GUESTCTL" --parallel 1024 --unix "$F/1.sock" ping >/dev/null; check_eq "--parallel 1024 accepted" 0 $?
"$GUESTCTL" --parallel 1025 --unix "$F/1.sock" ping 2>/dev/null; check_eq "--parallel 1025: exit 2" 2 $?
"$GUESTCTL" --parallel 0 --unix "$F/1.sock" ping 2>/dev/null; check_eq "--parallel 0: exit 2" 2 $?
# (bounded by timeout(1): should the agent vanish, this must not wait a day)
timeout 20 "$GUESTCTL" --unix "$F/1.sock" wait-ready --timeout 86400000 >/dev/null
check_eq "wait-ready --timeout 86400000 (the limit) accepted" 0 $?
"$GUESTCTL" --unix "$F/1.sock" wait-ready --timeout 86400001 2>/dev/null
check_eq "wait-ready --timeout 86400001: exit 2" 2 $?
out=$("$GUESTCTL" --json --parallel x --unix "$F/1.sock" ping 2>/dev/null)
check_match "usage error with --json: an error object" '^\{"ok":false,"error":"usage","message":"bad --parallel \(1..1024\): x","exit_code":2\}$' "$out"

t0=$(date +%s%N)
"$GUESTCTL" --targets "$T/targets" wait-ready >/dev/null
check_eq "wait-ready across the fleet: exit 0" 0 $?
echo "# wall wait-ready $N targets: $(ms_since $t0) ms"
done_testing
