#!/bin/bash
# guestd as PID 1 of new PID (and mount) namespaces: reaping, signal
# forwarding, on-exit, guestctl shutdown, the grace period measured from
# both sides, the signal table, Ctrl-Alt-Del, the poweroff personality and
# the init duties. reboot(2) there ends the namespace's init with SIGINT
# (power off, halt) or SIGHUP (restart); tests/lib/pidns.py reads which.
source "$(dirname "$0")/../lib/lib.sh"
source "$(dirname "$0")/../lib/pidns.sh"

if ! pidns_usable; then
	ok "# SKIP needs root and unshare --pid"
	done_testing; exit
fi

# --- 200 orphans reaped, signals forwarded, Ctrl-Alt-Del powers off -------
cat >"$T/orphans.sh" <<EOF
trap 'echo HUP >>$T/fwd' HUP
trap 'echo WINCH >>$T/fwd' WINCH
for i in \$(seq 200); do (sleep 0.3 &); done
while :; do sleep 0.05; done
EOF
ns_start orphans -- -- sh "$T/orphans.sh" || not_ok "namespace guestd starts"
check_eq "guestd is PID 1 in the namespace" 1 "$(jget "$(info_json orphans)" pid)"
reaped=$(wait_info orphans reaped -ge 200)
check "200 orphaned grandchildren reaped by PID 1 (reaped=$reaped)" test "${reaped:-0}" -ge 200
read -r zombies kids <<<"$(zombies_of "$NSPID")"
check_eq "no zombie left among PID 1's children" 0 "$zombies"
check_eq "only the workload is left as a child" 1 "$kids"
kill -HUP "$NSPID"; kill -WINCH "$NSPID"
for ((i = 0; i < 200; i++)); do [ -f "$T/fwd" ] && [ "$(wc -l <"$T/fwd")" = 2 ] && break; sleep 0.02; done
check_eq "SIGHUP and SIGWINCH sent to guestd reach the workload" "HUP WINCH" \
	"$(sort "$T/fwd" 2>/dev/null | tr '\n' ' ' | sed 's/ $//')"
check_eq "info: workload running (state 1)" 1 "$(jget "$(info_json orphans)" workload_state)"
kill -INT "$NSPID"
check_eq "SIGINT (Ctrl-Alt-Del) ends in power off (init killed by SIGINT)" "signal INT" "$(ns_end orphans)"
check "Ctrl-Alt-Del: ordered sequence in the log" in_order "$T/orphans.log" \
	"poweroff: SIGINT \(Ctrl-Alt-Del\)" "sent SIGTERM to all" \
	"workload sh killed by SIGTERM" "sync, unmount, poweroff"

# --- exit status reported, on-exit=stay, then guestctl shutdown --reboot ----
ns_start stay -- --on-exit stay -- sh -c 'exit 3' || not_ok "stay: starts"
wait_info stay workload_state = 2 >/dev/null
j=$(info_json stay)
check_eq "info: workload exited (state 2)" 2 "$(jget "$j" workload_state)"
check_eq "info: raw wait status 3<<8" 768 "$(jget "$j" workload_exit_status)"
check_eq "info: exit code 3" 3 "$(jget "$j" workload_exit_code)"
check_match "ping reports it too" '"workload_state":2.*"workload_exit_status":768' \
	"$("$GUESTCTL" --unix "$T/stay.sock" --json ping)"
check_log "on-exit=stay logged" "exited with status 3; on-exit=stay" "$T/stay.log"
out=$("$GUESTCTL" --unix "$T/stay.sock" shutdown --reboot)
check_match "guestctl shutdown --reboot: acknowledged" \
	"reboot acknowledged \(grace 5000 ms, via guestd\)" "$out"
check_eq "--reboot gives a restart (init killed by SIGHUP)" "signal HUP" "$(ns_end stay)"

# --- on-exit: default poweroff, reboot, halt, restart ----------------------
ns_start oedef -- -- sh -c 'sleep 0.1; exit 0'
check_eq "on-exit default as PID 1: power off (SIGINT)" "signal INT" "$(ns_end oedef)"
check_log "... after logging the exit" "exited with status 0; on-exit=poweroff" "$T/oedef.log"
ns_start oereb -- --on-exit reboot -- sh -c 'exit 0'
check_eq "on-exit=reboot: restart (SIGHUP)" "signal HUP" "$(ns_end oereb)"
ns_start oehalt -- --on-exit halt -- sh -c 'kill -9 $$'
check_eq "on-exit=halt: halt (SIGINT)" "signal INT" "$(ns_end oehalt)"
check "on-exit=halt after a workload killed by SIGKILL" in_order "$T/oehalt.log" \
	"killed by SIGKILL; on-exit=halt" "sync, unmount, halt"
ns_start oerest -- --on-exit restart --restart-delay 20 -- sh -c 'sleep 0.05; exit 1'
r=$(wait_info oerest workload_restarts -ge 3)
check "on-exit=restart runs it again (restarts=$r)" test "${r:-0}" -ge 3
"$GUESTCTL" --unix "$T/oerest.sock" shutdown --halt >/dev/null
check_eq "shutdown --halt while restarting: SIGINT" "signal INT" "$(ns_end oerest)"
check_log "halt logged" "sync, unmount, halt" "$T/oerest.log"

# --- guestctl shutdown within the grace; SIGKILL only once it ends --------
ns_start coop -- -- sleep 1000
t0=$(now)
out=$("$GUESTCTL" --unix "$T/coop.sock" shutdown)
check_match "guestctl shutdown: poweroff acknowledged" \
	"poweroff acknowledged \(grace 5000 ms, via guestd\)" "$out"
check_eq "guestctl shutdown powers off (SIGINT)" "signal INT" "$(ns_end coop)"
ms=$(ms_between "$t0" "$(ns_end_time coop)")
echo "# cooperative workload: powered off $ms ms after guestctl shutdown"
check "a cooperative workload: off in $ms ms, well within the 5000 ms grace" test "$ms" -lt 2500

cat >"$T/stubborn.py" <<'PYEOF'
import os, signal, sys, time
out = sys.argv[1]
signal.signal(signal.SIGTERM,
              lambda *_: open(out + ".term", "w").write(str(time.time_ns())))
open(out + ".ready", "w").write("1")
while True:
    open(out + ".hb.tmp", "w").write(str(time.time_ns()))
    os.rename(out + ".hb.tmp", out + ".hb")
    time.sleep(0.01)
PYEOF
GRACE=1500
ns_start stub -- -- python3 "$T/stubborn.py" "$T/stub"
for ((i = 0; i < 500; i++)); do [ -f "$T/stub.ready" ] && break; sleep 0.01; done
t0=$(now)
"$GUESTCTL" --unix "$T/stub.sock" shutdown --grace $GRACE >/dev/null
check_eq "SIGTERM-ignoring workload: still a power off" "signal INT" "$(ns_end stub 15)"
term_ms=$(ms_between "$t0" "$(cat "$T/stub.term")")
alive_ms=$(ms_between "$t0" "$(cat "$T/stub.hb")")
end_ms=$(ms_between "$t0" "$(ns_end_time stub)")
echo "# grace $GRACE ms: SIGTERM after $term_ms ms, last heartbeat $alive_ms ms, gone $end_ms ms"
check "workload got SIGTERM at once ($term_ms ms)" test "$term_ms" -lt 500
check "not killed before the grace ends (alive at $alive_ms ms >= $((GRACE - 50)))" \
	test "$alive_ms" -ge $((GRACE - 50))
check "SIGKILLed once it ends (gone at $end_ms ms < $((GRACE + 1000)))" \
	test "$end_ms" -lt $((GRACE + 1000))
check_match "log: grace period over, then SIGKILL" \
	"grace period over after 1[0-9]{3} ms: SIGKILL" "$(cat "$T/stub.log")"

ns_start force -- -- python3 "$T/stubborn.py" "$T/force"
for ((i = 0; i < 500; i++)); do [ -f "$T/force.ready" ] && break; sleep 0.01; done
t0=$(now)
"$GUESTCTL" --unix "$T/force.sock" shutdown --grace 20000 >/dev/null
sleep 0.3
out=$("$GUESTCTL" --unix "$T/force.sock" shutdown --force)
check_match "second request with --force acknowledged" "forced" "$out"
check_eq "--force: power off" "signal INT" "$(ns_end force)"
ms=$(ms_between "$t0" "$(ns_end_time force)")
check "--force cuts a 20000 ms grace short (off after $ms ms)" test "$ms" -lt 3000

# --- the signal table -------------------------------------------------------
while read -r sig expect mode flags; do
	ns_start sig -- $flags -- sleep 1000
	kill "-$sig" "$NSPID"
	res="$(ns_end sig) $(grep -oE 'sync, unmount, [a-z]+' "$T/sig.log" | cut -d' ' -f3)"
	check_eq "signal $sig${flags:+ with $flags}: $mode" "signal $expect $mode" "$res"
done <<'TABLE'
USR1 INT halt
USR2 INT poweroff
TERM HUP reboot
PWR INT poweroff
37 INT halt
38 INT poweroff
39 HUP reboot
47 INT halt
48 INT poweroff
49 HUP reboot
INT HUP reboot --ctrl-alt-del=reboot
TABLE

# --- poweroff, reboot, halt run inside the namespace -----------------------
mkdir -p "$T/sbin"
for n in poweroff reboot halt; do ln -sf "$(realpath "$GUESTD")" "$T/sbin/$n"; done
while read -r name expect; do
	# The workload ignores SIGTERM to record poweroff's status, then ends,
	# which ends the grace period too; on-exit=stay: only the request counts.
	ns_start pers -- --on-exit stay -- \
		sh -c "trap '' TERM; sleep 0.2; $T/sbin/$name; echo rc=\$? >$T/pers.rc"
	check_eq "'$name' run by the workload: $expect" "$expect" "$(ns_end pers)"
	check_eq "'$name' exits 0" "rc=0" "$(cat "$T/pers.rc" 2>/dev/null)"
	check "'$name': PID 1 got the request and shut down in order" in_order "$T/pers.log" \
		"$name: SIGRTMIN\+[345] \(systemd\) from pid [0-9]+" "sent SIGTERM to all" \
		"sync, unmount, $name"
done <<'TABLE'
poweroff signal INT
reboot signal HUP
halt signal INT
TABLE
"$T/sbin/poweroff" --help >/dev/null; check_eq "poweroff --help: exit 0" 0 $?
"$T/sbin/reboot" -x 2>/dev/null; check_eq "reboot -x: exit 2" 2 $?
"$T/sbin/halt" -w; check_eq "halt -w (wtmp only) does nothing: exit 0" 0 $?

# --- init duties: mounts, hostname, loopback, modules -----------------------
host_name=$(hostname)
run_was_mount=$(mountpoint -q /run && echo yes || echo no)
name=gdtest$RANDOM
cat >"$T/duties.sh" <<EOF
ip -o link show lo >$T/duties.lo
grep ' /run ' /proc/self/mounts >$T/duties.run
sleep 100
EOF
ns_start duties --uts --net -- --log-level debug --hostname "$name" \
	--modules "no_such_module_$RANDOM,/nonexistent/x.ko" -- sh "$T/duties.sh"
for ((i = 0; i < 200; i++)); do [ -f "$T/duties.run" ] && break; sleep 0.02; done
check_eq "hostname= set inside (UTS namespace)" "$name" "$(jget "$(info_json duties)" hostname)"
check_eq "host's hostname untouched" "$host_name" "$(hostname)"
check_match "loopback brought up in a fresh network namespace" "<[^>]*UP" "$(cat "$T/duties.lo")"
check_log "loopback up logged" "loopback up" "$T/duties.log"
check_match "unknown module name: logged, boot goes on" \
	"module no_such_module_[0-9]+: not in /lib/modules/.*/modules.dep" "$(cat "$T/duties.log")"
check_log "missing module file: logged" "module /nonexistent/x.ko: No such file" "$T/duties.log"
check "still serving after failed module loads" quiet "$GUESTCTL" --unix "$T/duties.sock" ping
check_log "/proc (mounted by unshare) left alone" "/proc already mounted" "$T/duties.log"
if [ "$run_was_mount" = no ]; then
	check_match "missing /run: tmpfs mounted inside" "^tmpfs /run tmpfs" "$(cat "$T/duties.run")"
	check "... and not on the host" sh -c '! mountpoint -q /run'
else
	check_match "/run present: left alone" "/run already mounted|^$" "$(grep ' /run ' "$T/duties.log")"
fi
kill -INT "$NSPID"
check_eq "duties: power off" "signal INT" "$(ns_end duties)"
[ "$run_was_mount" = no ] && check_match "what it mounted is unmounted at the end" \
	"unmounted /run" "$(cat "$T/duties.log")"

# --- PID 1 keeps going: bad flags, a workload that cannot run ---------------
ns_start robust -- --bogus-flag --on-exit stay -- /nonexistent/cmd
check "PID 1 with an unknown flag still serves" quiet "$GUESTCTL" --unix "$T/robust.sock" ping
wait_info robust workload_state = 2 >/dev/null
check_eq "a workload that cannot be run: exit code 127 reported" 127 \
	"$(jget "$(info_json robust)" workload_exit_code)"
check_log "... and logged" "cannot run /nonexistent/cmd: exec: No such file" "$T/robust.log"
"$GUESTCTL" --unix "$T/robust.sock" shutdown --grace 0 >/dev/null
check_eq "robust: power off" "signal INT" "$(ns_end robust)"

# --- without CAP_SYS_BOOT (a container's PID 1): reboot(2) refused, exit ---
rm -f "$T/nocap.result" "$T/nocap.pid"
$PY "$TOP/tests/lib/pidns.py" "$T/nocap.result" "$T/nocap.pid" \
	unshare --pid --fork --mount-proc setpriv --bounding-set -sys_boot --inh-caps -sys_boot \
	"$GUESTD" --no-vsock --config /nonexistent --cmdline /nonexistent --local-sock "" \
	--log-to stderr -- sh -c 'exit 5' >"$T/nocap.log" 2>&1 &
_pids+=($!)
check_eq "no CAP_SYS_BOOT: the namespace's init exits with the workload's code" "exit 5" "$(ns_end nocap)"
check "... after reboot(2) was refused" in_order "$T/nocap.log" \
	"reboot\(2\) for poweroff: Operation not permitted" "exiting instead"

done_testing
