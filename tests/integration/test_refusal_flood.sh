#!/bin/bash
# One rate-limited logger for every refusal (agent/gate/refusal_log.c): an
# unprivileged guest user who opens the guest-local socket (mode 0666) ten
# thousand times writes at most GD_REFUSAL_LOG_BURST lines per window plus
# one summary line per window, each refusal is still counted, and the agent
# goes on serving. Prints the figures.
source "$(dirname "$0")/../lib/lib.sh"
BURST=5  # GD_REFUSAL_LOG_BURST (agent/gate/gate.h)
WINDOW_S=1 # GD_REFUSAL_LOG_WINDOW_NS
N=10000

setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null ||
	skip_all "setpriv cannot change uid here (needs root)"
chmod 755 "$T" # uid 65534 reaches the socket
L=$T/local.sock
start_agent "$T/h.sock" --local-sock "$L"
wait_for_socket "$L"

t0=$(date +%s%N)
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$PY3" -B - "$L" "$N" <<'PYEOF'
import socket, sys
path, n = sys.argv[1], int(sys.argv[2])
refused = 0
for _ in range(n):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(5)
    s.connect(path)
    data = b""
    while True:                     # the notice, then the agent's close
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
    refused += b"is not allowed" in data
    s.close()
print(refused)
PYEOF
)
t1=$(date +%s%N)
check_eq "$N local connections of uid 65534: each refused with a notice" "$N" "$out"
flood_ms=$(((t1 - t0) / 1000000))
sleep $((WINDOW_S + 1)) # the last window's summary
lines=$(grep -c "uid=65534" "$T/agent.log")
summaries=$(grep -c "more refusals not logged one by one" "$T/agent.log")
windows=$((flood_ms / (WINDOW_S * 1000) + 2))
bound=$(((BURST + 1) * windows))
echo "# $N refusals in $flood_ms ms: $lines refusal lines + $summaries summaries written (bound $bound: $BURST + 1 per ${WINDOW_S} s window, $windows windows)"
check "the first refusals are logged one by one, with the uid" \
	grep -q "refused local:.*uid=65534" "$T/agent.log"
check "at most $BURST refusal lines per window" test "$lines" -le $((BURST * windows))
check "log lines in all within the bound ($((lines + summaries)) <= $bound)" \
	test $((lines + summaries)) -le "$bound"
check "and far fewer than the refusals" test $((lines + summaries)) -lt 100
check_match "the last summary counts every refusal" "\($N in all\)" \
	"$(grep "more refusals not logged" "$T/agent.log" | tail -1)"
check "the agent still serves root" sh -c "'$GUESTCTL' --unix '$T/h.sock' ping >/dev/null"
check "and the local socket serves root" "$GUESTD" kv --socket "$L" set after-flood 1
done_testing
