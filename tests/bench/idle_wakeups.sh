#!/bin/bash
# idle_wakeups.sh SECONDS SETTLE_S CMD [ARGS...]: start CMD, let it settle,
# then print how many times it woke up in SECONDS while nobody talked to
# it: the context switches of all its threads (voluntary and not), each of
# which is a wake-up of an otherwise idle process. Used by bench.sh's
# "wake-ups while idle" row; no timing is asserted anywhere.
secs=$1 settle=$2
shift 2
"$@" >/dev/null 2>&1 &
pid=$!
switches() {
	cat /proc/"$pid"/task/*/status 2>/dev/null |
		awk '/ctxt_switches/ { n += $2 } END { print n + 0 }'
}
sleep "$settle"
if ! kill -0 "$pid" 2>/dev/null; then
	echo "n/a"
	exit 0
fi
before=$(switches)
sleep "$secs"
after=$(switches)
kill -TERM "$pid" 2>/dev/null
for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -KILL "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
echo $((after - before))
