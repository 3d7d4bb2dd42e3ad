#!/bin/bash
# tini and dumb-init parity, through the real binary: the workload's
# process group (signal-group, tini -g), the stop signal of a PID 1
# shutdown (stop-signal, in a PID namespace), signal rewriting
# (signal-rewrite, dumb-init --rewrite), exit-code remapping (exit-remap,
# tini -e) and the workload's leftover descendants when guestd is not
# PID 1 (descendants=kill|wait|leave), and every bad value.
source "$(dirname "$0")/../lib/lib.sh"
source "$(dirname "$0")/../lib/pidns.sh"

G=("$GUESTD" --no-vsock --config /nonexistent --cmdline /nonexistent --local-sock "" --log-to stderr)
# wait_file FILE [TENTHS]: until FILE is not empty.
wait_file() { local i; for ((i = 0; i < ${2:-50}; i++)); do [ -s "$1" ] && return 0; sleep 0.1; done; return 1; }
gone() { ! kill -0 "$1" 2>/dev/null; }

# --- signal-group: the workload's whole process group -------------------------
# The workload (its own session and group) starts a child in its group that
# records SIGUSR1; sh itself survives USR1 with a no-op trap (not an ignored
# USR1: a shell started with a signal ignored cannot trap it, so the child
# would inherit the ignore and never record anything).
cat >"$T/group.sh" <<GROUP
trap ':' USR1
sh -c 'trap "echo child >>$T/\$1.got" USR1; echo ready >$T/\$1.ready; while :; do sleep 0.05; done' x \$1 &
while :; do sleep 0.05; done
GROUP
for mode in on off; do
	flag=(); [ $mode = on ] && flag=(--signal-group)
	"${G[@]}" "${flag[@]}" --unix "$T/g$mode.sock" -- sh "$T/group.sh" $mode 2>"$T/g$mode.log" &
	gpid=$!; _pids+=($gpid)
	wait_file "$T/$mode.ready"
	kill -USR1 $gpid; sleep 0.5
	kill -TERM $gpid; wait $gpid 2>/dev/null
done
check_eq "signal-group: a forwarded SIGUSR1 reaches a child in the workload's group" child "$(cat "$T/on.got" 2>/dev/null)"
check "without it only the workload's pid gets it (tini's default)" test ! -s "$T/off.got"

# --- stop-signal, as PID 1 of a namespace --------------------------------------
if pidns_usable; then
	cat >"$T/stop.sh" <<STOP
trap 'echo QUIT >>$T/stop.got; exit 0' QUIT
trap 'echo TERM >>$T/stop.got; exit 0' TERM
setsid sh -c 'trap "echo other-TERM >>$T/other.got; exit 0" TERM; while :; do sleep 0.05; done' &
while :; do sleep 0.05; done
STOP
	ns_start stop -- --stop-signal QUIT -- sh "$T/stop.sh" || not_ok "stop: starts"
	sleep 0.3
	"$GUESTCTL" --unix "$T/stop.sock" shutdown >/dev/null
	check_eq "stop-signal=QUIT: the namespace still powers off" "signal INT" "$(ns_end stop)"
	check_eq "the workload got SIGQUIT, not SIGTERM" QUIT "$(cat "$T/stop.got" 2>/dev/null)"
	check_eq "a process in another session got SIGTERM" other-TERM "$(cat "$T/other.got" 2>/dev/null)"
	check_log "logged: SIGQUIT to the workload, SIGTERM to the rest" \
		"sent SIGQUIT to the workload, SIGTERM to all other processes" "$T/stop.log"
	ns_start stopnum -- --stop-signal 10 --signal-group -- sh -c \
		"trap 'echo USR1 >$T/num.got; exit 0' USR1; while :; do sleep 0.05; done" || not_ok "stopnum: starts"
	sleep 0.3
	"$GUESTCTL" --unix "$T/stopnum.sock" shutdown --reboot >/dev/null
	check_eq "stop-signal=10 with signal-group: reboot" "signal HUP" "$(ns_end stopnum)"
	check_eq "... the workload's group got SIGUSR1" USR1 "$(cat "$T/num.got" 2>/dev/null)"
	check_log "... logged as the group's" "sent SIGUSR1 to the workload's group" "$T/stopnum.log"
else
	ok "# SKIP stop-signal needs root and unshare --pid"
fi

# --- signal-rewrite ----------------------------------------------------------
cat >"$T/rw.sh" <<RW
trap 'echo USR1 >>$T/rw.got' USR1
trap 'echo TERM >>$T/rw.got; exit 5' TERM
trap 'echo QUIT >>$T/rw.got; exit 6' QUIT
echo ready >$T/rw.ready
while :; do sleep 0.05; done
RW
"${G[@]}" --unix "$T/rw.sock" --signal-rewrite TERM:USR1 -- sh "$T/rw.sh" 2>"$T/rw.log" &
gpid=$!; _pids+=($gpid)
wait_file "$T/rw.ready"
kill -TERM $gpid
wait_file "$T/rw.got" 30
check_eq "signal-rewrite=TERM:USR1: SIGTERM to guestd reaches the workload as SIGUSR1" USR1 "$(cat "$T/rw.got")"
check "... and guestd keeps running" kill -0 $gpid
kill -KILL $gpid; wait $gpid 2>/dev/null
rm -f "$T/rw.got" "$T/rw.ready"
"${G[@]}" --unix "$T/rw2.sock" --signal-rewrite 15:3 -- sh "$T/rw.sh" 2>/dev/null &
gpid=$!; _pids+=($gpid)
wait_file "$T/rw.ready"
kill -TERM $gpid; wait $gpid
rc=$?
check_eq "signal-rewrite=15:3 (numbers): SIGTERM arrives as SIGQUIT" QUIT "$(cat "$T/rw.got")"
check_eq "... guestd exits with the workload's 6" 6 $rc
rm -f "$T/rw.got" "$T/rw.ready"
"${G[@]}" --unix "$T/rw3.sock" --signal-rewrite TERM:0 -- sh "$T/rw.sh" 2>/dev/null &
gpid=$!; _pids+=($gpid)
wait_file "$T/rw.ready"
kill -TERM $gpid; sleep 0.5
check "signal-rewrite=TERM:0 drops SIGTERM: the workload saw nothing" test ! -s "$T/rw.got"
check "... and both keep running" kill -0 $gpid
kill -QUIT $gpid; wait $gpid
check_eq "... another signal still goes through (SIGQUIT: exit 6)" 6 $?

# --- exit-remap ---------------------------------------------------------------
"${G[@]}" --exit-remap 143 -- sh -c 'kill -TERM $$' 2>/dev/null
check_eq "exit-remap=143 (tini -e): killed by SIGTERM exits 0" 0 $?
"${G[@]}" --exit-remap 7:3,143 -- sh -c 'exit 7' 2>/dev/null
check_eq "exit-remap=7:3: 7 becomes 3" 3 $?
"${G[@]}" --exit-remap 7:3 -- sh -c 'exit 8' 2>/dev/null
check_eq "a code not in the map passes unchanged" 8 $?
"${G[@]}" --exit-remap 255:1 -- sh -c 'exit 255' 2>/dev/null
check_eq "code 255, the last one, remapped" 1 $?

# --- descendants ----------------------------------------------------------------
# The workload leaves a daemon in a session of its own, then exits 4.
daemon_wl() { echo "(setsid sh -c '$1' & echo \$! >$T/daemon.pid); sleep 0.3; exit 4"; }
rm -f "$T/daemon.pid"
"${G[@]}" -- sh -c "$(daemon_wl 'exec sleep 1000')" 2>"$T/dk.log"
rc=$?; d=$(cat "$T/daemon.pid")
check_eq "descendants=kill (default): guestd exits with the workload's 4" 4 $rc
check "... and the workload's daemon is gone (on main it outlives guestd)" gone "$d"
check_log "... logged" "descendants=kill: SIGTERM to 1 remaining process" "$T/dk.log"
t0=$(now)
"${G[@]}" --shutdown-grace 500 -- sh -c "$(daemon_wl 'trap \"\" TERM; while :; do sleep 0.05; done')" 2>"$T/dk2.log"
rc=$?; t1=$(now); d=$(cat "$T/daemon.pid")
check_eq "a daemon ignoring SIGTERM: guestd still exits 4" 4 $rc
check "... it was SIGKILLed after the 500 ms grace" gone "$d"
check_log "... logged" "descendants=kill: SIGKILL to [0-9]+ process(es)? still there after [0-9]+ ms" "$T/dk2.log"
ms=$(ms_between "$t0" "$t1")
check "... after the grace, with a margin (${ms} ms)" test "$ms" -ge 700 -a "$ms" -lt 5000
t0=$(now)
"${G[@]}" --descendants wait -- sh -c "$(daemon_wl 'exec sleep 1')" 2>"$T/dw.log"
rc=$?; t1=$(now); ms=$(ms_between "$t0" "$t1")
check_eq "descendants=wait: exits 4 once the daemon is done" 4 $rc
check "... after waiting for it (${ms} ms, the daemon ran 1 s)" test "$ms" -ge 1000
check_log "... logged" "descendants=wait: waiting for 1 process" "$T/dw.log"
"${G[@]}" --unix "$T/dw2.sock" --descendants wait -- sh -c "$(daemon_wl 'exec sleep 1000')" 2>"$T/dw2.log" &
gpid=$!; _pids+=($gpid)
check_log "descendants=wait with a daemon that stays" "waiting for 1 process" "$T/dw2.log"
d=$(cat "$T/daemon.pid"); _pids+=($d)
check "... guestd keeps waiting" kill -0 $gpid
kill -TERM $gpid; wait $gpid
check_eq "... SIGTERM switches to kill: guestd exits 4" 4 $?
check "... and the daemon is gone" gone "$d"
"${G[@]}" --descendants leave -- sh -c "$(daemon_wl 'exec sleep 1000')" 2>"$T/dl.log"
rc=$?; d=$(cat "$T/daemon.pid"); _pids+=($d)
check_eq "descendants=leave: exits 4 at once" 4 $rc
check "... leaving the daemon running (tini's way)" kill -0 "$d"
check_log "... logged" "descendants=leave: 1 process left running" "$T/dl.log"
kill -9 "$d" 2>/dev/null

# --- bad values: exit 2 with the reason ------------------------------------------
bad() { # NAME REGEX FLAG...
	local name=$1 re=$2
	shift 2
	"${G[@]}" "$@" -- true 2>"$T/bad.log"
	check_eq "$name: refused (exit 2)" 2 $?
	check_log "... $name: the reason" "$re" "$T/bad.log"
}
bad "stop-signal=FOO" "stop-signal=FOO: not a signal" --stop-signal FOO
bad "stop-signal=65 (one past 64)" "stop-signal=65: not a signal" --stop-signal 65
"${G[@]}" --stop-signal 64 -- true 2>/dev/null
check_eq "stop-signal=64, the last signal, accepted" 0 $?
bad "signal-rewrite=FOO:1" "signal-rewrite='FOO:1': FROM is no signal" --signal-rewrite FOO:1
bad "signal-rewrite=15" "signal-rewrite='15': not FROM:TO" --signal-rewrite 15
bad "signal-rewrite=15:99" "signal-rewrite='15:99': TO is no signal" --signal-rewrite 15:99
bad "exit-remap=256" "exit-remap='256': not N or FROM:TO" --exit-remap 256
bad "exit-remap=1:256" "exit-remap='1:256'" --exit-remap 1:256
bad "descendants=x" "descendants=x: not kill, wait or leave" --descendants x
bad "power-button=sleep" "power-button=sleep: not poweroff, reboot, halt or ignore" --power-button sleep
done_testing
