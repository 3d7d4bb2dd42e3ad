#!/bin/sh
# The workload of tests/e2e/test_idle.sh (busybox sh, guestd as PID 1):
# once the host says go (and has hung up), count PID 1's context switches
# over IDLE_S seconds: every wake-up of guestd is one. Nothing talks to
# guestd meanwhile, so anything counted is guestd's own doing.
PATH=/bin:/sbin
IDLE_S=${1:-20}
say() { echo "WL: $*"; }
switches() { awk '/ctxt_switches/ { n += $2 } END { print n }' /proc/1/status; }

guestd kv wait --timeout 120000 idle.go >/dev/null || { say "no go from the host"; exit 1; }
sleep 3 # the host hangs up the serial port meanwhile
before=$(switches)
sleep "$IDLE_S"
after=$(switches)
say "idle: PID 1 woke $((after - before)) times in $IDLE_S s"
guestd kv wait --timeout 120000 idle.done >/dev/null
say "workload done"
