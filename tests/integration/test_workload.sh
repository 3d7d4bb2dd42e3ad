#!/bin/bash
# guestd NOT as PID 1: the workload (clean env, workdir, uid/gid, tini-style
# forwarding and exit status), the bounds of its configuration, SHUTDOWN's
# input checks, and shutdown delegated to the running init (fake busybox,
# systemd and sysvinit inits as PID 1 of a namespace) or to shutdown-cmd.
# Nothing here may ask this machine's own init anything: delegation is
# only tried inside namespaces whose PID 1 is a fake, or with shutdown-cmd.
source "$(dirname "$0")/../lib/lib.sh"
source "$(dirname "$0")/../lib/pidns.sh"

G=("$GUESTD" --no-vsock --config /nonexistent --cmdline /nonexistent --local-sock "")

# --- the workload: clean environment, workdir, ids, exit status -------------
P=$T/pub # writable for the workload running as nobody
mkdir -p "$P" && chmod 1777 "$P" && chmod o+x "$T"
HOME=/root SECRET=leak "${G[@]}" --unix "$T/w.sock" --env FOO=bar --env 'SP=a b,c' \
	--env HOME=/home/x --workdir /tmp --uid nobody -- \
	sh -c "env >$P/env; pwd >$P/pwd; id -u >$P/ids; id -g >>$P/ids; exit 7" 2>"$T/w.log"
check_eq "not PID 1: guestd exits with the workload's status (on-exit=exit)" 7 $?
env_sorted=$(sort "$P/env" | grep -vE '^(PWD|SHLVL|OLDPWD)=' | tr '\n' ' ')
check_eq "clean environment: defaults plus env= entries" \
	"FOO=bar HOME=/home/x PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin SP=a b,c TERM=linux " \
	"$env_sorted"
check_eq "workdir=" /tmp "$(cat "$P/pwd")"
check_eq "uid=nobody: its uid and primary group" "65534 65534" "$(tr '\n' ' ' <"$P/ids" | sed 's/ $//')"
"${G[@]}" --unix "$T/w.sock" --uid 1234 --gid 4321 -- sh -c "id -u; id -g; id -G" >"$T/ids2" 2>/dev/null
check_eq "numeric uid=/gid=, supplementary groups dropped" "1234 4321 4321" "$(tr '\n' ' ' <"$T/ids2" | sed 's/ $//')"
"${G[@]}" --unix "$T/w.sock" --exec "sh -c 'exit 4'" 2>/dev/null
check_eq "exec= with quotes" 4 $?
"${G[@]}" --unix "$T/w.sock" -- sh -c 'kill -TERM $$' 2>/dev/null
check_eq "workload killed by a signal: 128+signal" 143 $?
"${G[@]}" --unix "$T/w.sock" -- nosuchcommand_$RANDOM 2>"$T/nf.log"
check_eq "command not found: 127" 127 $?
check_log "... logged" "cannot run nosuchcommand_[0-9]+: exec: No such file" "$T/nf.log"
"${G[@]}" --unix "$T/w.sock" --uid nosuchuser_$RANDOM -- true 2>"$T/nu.log"
check_eq "unknown user: refused (exit 2)" 2 $?
check_log "... with the reason" "uid nosuchuser_[0-9]+: no such user" "$T/nu.log"

# --- tini-style: forwarding, subreaper, workload state over the socket --------
cat >"$T/tini.sh" <<EOF
trap 'echo USR1 >>$T/tini.fwd' USR1
trap 'exit 9' TERM
(sleep 0.2 &)
while :; do sleep 0.05; done
EOF
"${G[@]}" --unix "$T/t.sock" -- sh "$T/tini.sh" 2>"$T/t.log" &
gpid=$!; _pids+=($gpid)
wait_for_socket "$T/t.sock"
NS=t
j=$(info_json t)
check_eq "info: workload running" 1 "$(jget "$j" workload_state)"
wait_info t reaped -ge 1 >/dev/null
check "orphan of the workload reaped by guestd (child subreaper)" test "$(jget "$(info_json t)" reaped)" -ge 1
kill -USR1 $gpid
for ((i = 0; i < 100; i++)); do [ -s "$T/tini.fwd" ] && break; sleep 0.02; done
check_eq "SIGUSR1 forwarded (not a shutdown when not PID 1)" USR1 "$(cat "$T/tini.fwd" 2>/dev/null)"
kill -TERM $gpid; wait $gpid
check_eq "SIGTERM forwarded; guestd exits with the workload's 9" 9 $?
start_agent "$T/n.sock" || not_ok "plain agent starts"
kill -TERM "$AGENT_PID"; wait "$AGENT_PID"
check_eq "no workload: SIGTERM stops guestd (exit 0)" 0 $?

"${G[@]}" --unix "$T/s.sock" --on-exit stay -- sh -c 'exit 6' 2>/dev/null &
spid=$!; _pids+=($spid)
wait_for_socket "$T/s.sock"
wait_info s workload_state = 2 >/dev/null
check_eq "on-exit=stay: exit code kept for info" 6 "$(jget "$(info_json s)" workload_exit_code)"
check_eq "KV auto pool: workload.state" exited "$("$GUESTCTL" --unix "$T/s.sock" kv get --pool auto workload.state)"
check_eq "KV auto pool: workload.exit-status" 6 "$("$GUESTCTL" --unix "$T/s.sock" kv get --pool auto workload.exit-status)"
kill -TERM $spid; wait $spid
check_eq "then SIGTERM stops it (exit 0)" 0 $?

# --- bounds: each at its limit and one past ---------------------------------
args64=(true); for ((i = 2; i <= 64; i++)); do args64+=(a$i); done
"${G[@]}" --unix "$T/b.sock" -- "${args64[@]}" 2>/dev/null
check_eq "64 workload words: run" 0 $?
"${G[@]}" --unix "$T/b.sock" -- "${args64[@]}" a65 2>"$T/b.log"
check_eq "65 words: refused (exit 2)" 2 $?
check_log "... saying why" "more than 64 words" "$T/b.log"
env61=(); for ((i = 1; i <= 61; i++)); do env61+=(--env "V$i=x"); done
"${G[@]}" --unix "$T/b.sock" "${env61[@]}" -- true 2>/dev/null
check_eq "64 variables (3 defaults + 61 env=): run" 0 $?
"${G[@]}" --unix "$T/b.sock" "${env61[@]}" --env V62=x -- true 2>"$T/b.log"
check_eq "65 variables: refused" 2 $?
check_log "... saying why" "too many variables" "$T/b.log"
long=$(printf 'x%.0s' $(seq 1018)) # "true " + 1018 = 1023 bytes
"${G[@]}" --unix "$T/b.sock" --exec "true $long" 2>/dev/null
check_eq "exec= of 1023 bytes: accepted" 0 $?
"${G[@]}" --unix "$T/b.sock" --exec "true x$long" 2>/dev/null
check_eq "exec= of 1024 bytes: refused" 2 $?
"${G[@]}" --unix "$T/b.sock" --exec "sh -c 'exit 1" 2>"$T/b.log"
check_eq "exec= with an open quote: refused" 2 $?
check_log "... saying why" "unterminated quote" "$T/b.log"
"${G[@]}" --unix "$T/b.sock" --env 1BAD=x -- true 2>/dev/null
check_eq "env= that is not NAME=VALUE: refused" 2 $?
"${G[@]}" --unix "$T/b.sock" --on-exit sometimes -- true 2>/dev/null
check_eq "unknown on-exit: refused" 2 $?
"${G[@]}" --unix "$T/b.sock" --ctrl-alt-del panic -- true 2>/dev/null
check_eq "unknown ctrl-alt-del: refused" 2 $?
"${G[@]}" --unix "$T/b.sock" --restart-delay 3600000 -- true 2>/dev/null
check_eq "restart-delay 3600000: accepted" 0 $?
"${G[@]}" --unix "$T/b.sock" --restart-delay 3600001 -- true 2>/dev/null
check_eq "restart-delay 3600001: refused" 2 $?
"${G[@]}" --unix "$T/b.sock" stray 2>/dev/null
check_eq "a stray argument without --: refused" 2 $?

# --- SHUTDOWN delegated to shutdown-cmd; its input checks -------------------
cat >"$T/sdcmd.sh" <<EOF
#!/bin/sh
echo "\$@" >>$T/sdcmd.out
EOF
chmod +x "$T/sdcmd.sh"
start_agent "$T/d.sock" --shutdown-cmd "$T/sdcmd.sh --from-guestd" || not_ok "agent with shutdown-cmd starts"
out=$("$GUESTCTL" --unix "$T/d.sock" shutdown --halt)
check_match "shutdown via shutdown-cmd: acknowledged" "halt acknowledged \(grace 5000 ms, via command\)" "$out"
for ((i = 0; i < 100; i++)); do [ -s "$T/sdcmd.out" ] && break; sleep 0.02; done
check_eq "shutdown-cmd run with the mode appended" "--from-guestd halt" "$(cat "$T/sdcmd.out" 2>/dev/null)"
check "not PID 1: guestd itself keeps running" kill -0 "$AGENT_PID"
check_match "ping: phase delegated (3)" '"shutdown_phase":3' "$("$GUESTCTL" --unix "$T/d.sock" --json ping)"
"$GUESTCTL" --unix "$T/d.sock" shutdown --grace 3600001 2>/dev/null
check_eq "guestctl refuses --grace 3600001 (usage)" 2 $?
"$GUESTCTL" --unix "$T/d.sock" shutdown --reboot --halt 2>/dev/null
check_eq "guestctl refuses --reboot with --halt" 2 $?
check "SHUTDOWN's input checks" $PY - "$T/d.sock" <<'PYEOF'
import struct, sys
from gdproto import *
c = Conn(sys.argv[1])
SD = OP["shutdown"]
def call(payload, id):
    return c.call(SD, payload, id=id)
r = call(tlv(20, b"\x03"), 1); assert r["status"] == S["bad_value"], r
r = call(tlv(20, b"\x00\x00"), 2); assert r["status"] == S["bad_tlv"], r
r = call(tlv(22, b"\x02"), 3); assert r["status"] == S["bad_value"], r
r = call(tlv(21, struct.pack("<I", 3600001)), 4)
assert r["status"] == S["bad_value"] and b"3600000" in r["tlvs"][1], r
r = call(tlv(21, b"\x01\x00"), 5); assert r["status"] == S["bad_tlv"], r
r = call(tlv(21, struct.pack("<I", 3600000)) + tlv(20, b"\x01"), 6)
assert r["status"] == S["ok"], r
t = r["tlvs"]
assert t[20] == b"\x01" and struct.unpack("<I", t[21])[0] == 3600000, t
assert t[23] == b"command" and t[24] == b"\x03", t
PYEOF
for ((i = 0; i < 100; i++)); do [ "$(wc -l <"$T/sdcmd.out")" -ge 2 ] && break; sleep 0.02; done
check_eq "grace at the limit accepted and passed on" "--from-guestd reboot" "$(sed -n 2p "$T/sdcmd.out")"

# --- SHUTDOWN delegated to the init that runs as PID 1 ----------------------
if ! pidns_usable; then
	ok "# SKIP delegation to fake inits needs root and unshare --pid"
	done_testing; exit
fi
mkdir -p "$T/fake"
real_python=$($PY -c 'import os, sys; print(os.path.realpath(sys.executable))')
for n in busybox systemd init someinit; do cp "$real_python" "$T/fake/$n"; done
# fake_init NAME KIND SETUP [CMD...]: KIND's copy of python as PID 1 of a
# new namespace, running CMD (default: guestd on $T/NAME.sock) as its child.
fake_init() {
	local name=$1 kind=$2 setup=$3 i cmd
	shift 3
	cmd="$*"
	[ -n "$cmd" ] || cmd="$GUESTD --no-vsock --config /nonexistent --cmdline /nonexistent --local-sock '' --unix $T/$name.sock"
	rm -f "$T/$name.result" "$T/$name.pid" "$T/$name.rec" "$T/$name.sock"
	$PY "$TOP/tests/lib/pidns.py" "$T/$name.result" "$T/$name.pid" \
		unshare --pid --fork --mount-proc sh -c "$setup exec $T/fake/$kind -B $TOP/tests/lib/fakeinit.py $T/$name.rec -- $cmd" \
		>"$T/$name.log" 2>&1 &
	_pids+=($!)
	for ((i = 0; i < 500; i++)); do [ -s "$T/$name.pid" ] && break; sleep 0.01; done
	NSPID=$(cat "$T/$name.pid" 2>/dev/null)
	[ -n "$NSPID" ] && _pids+=("$NSPID")
	[ $# -gt 0 ] || ns_wait_socket "$name"
}
rec() { tr '\n' ' ' <"$T/$1.rec" 2>/dev/null | sed 's/ $//'; }
while read -r kind flags expect; do
	[ "$flags" = - ] && flags=
	fake_init fk "$kind" "" || not_ok "guestd under a fake $kind starts"
	out=$("$GUESTCTL" --unix "$T/fk.sock" shutdown $flags)
	check_match "$kind as PID 1, shutdown $flags: acknowledged via $kind" "via $kind" "$out"
	check_eq "... the init ended by itself (no reboot(2) from guestd)" "exit 0" "$(ns_end fk)"
	check_eq "... after receiving $expect" "signal $expect" "$(rec fk)"
done <<'TABLE'
busybox --halt 10
busybox - 12
busybox --reboot 15
systemd - 38
systemd --reboot 39
systemd --force 48
TABLE

sysv_setup="mount -t tmpfs tmpfs /run && mkfifo /run/initctl &&"
fake_init sysv init "$sysv_setup" || not_ok "guestd under a fake sysvinit starts"
out=$("$GUESTCTL" --unix "$T/sysv.sock" shutdown --grace 3000)
check_match "sysvinit as PID 1: acknowledged via sysvinit" "via sysvinit" "$out"
check_eq "... the init ended by itself" "exit 0" "$(ns_end sysv)"
check_eq "... after INIT_HALT=POWERDOWN then runlevel 0 on /run/initctl" \
	"initctl magic=0x3091969 cmd=6 runlevel=0 sleep=0 data=INIT_HALT=POWERDOWN initctl magic=0x3091969 cmd=1 runlevel=0 sleep=3 data=" \
	"$(rec sysv)"
fake_init sysvr init "$sysv_setup"
"$GUESTCTL" --unix "$T/sysvr.sock" shutdown --reboot >/dev/null
ns_end sysvr >/dev/null
check_match "sysvinit reboot: runlevel 6" "cmd=1 runlevel=6" "$(rec sysvr)"

fake_init unk someinit "" || not_ok "guestd under an unknown init starts"
"$GUESTCTL" --unix "$T/unk.sock" shutdown 2>"$T/unk.err"
check_eq "unknown init and no shutdown-cmd: agent error (exit 1)" 1 $?
check_match "... unsupported, saying what to do" "unsupported: .*set shutdown-cmd" "$(cat "$T/unk.err")"
kill -9 "$NSPID" 2>/dev/null

mkdir -p "$T/sbin"
for n in poweroff reboot halt; do ln -sf "$(realpath "$GUESTD")" "$T/sbin/$n"; done
for pair in poweroff:12 reboot:15 halt:10; do
	fake_init pers busybox "" "$T/sbin/${pair%%:*}"
	check_eq "'${pair%%:*}' under busybox init asks it with signal ${pair#*:}" \
		"exit 0 signal ${pair#*:}" "$(ns_end pers) $(rec pers)"
done
fake_init pers systemd "" "$T/sbin/poweroff" -f
check_eq "'poweroff -f' under systemd: SIGRTMIN+14 (immediate)" "exit 0 signal 48" "$(ns_end pers) $(rec pers)"
printf '%s\n' "$T/sbin/poweroff 2>$T/pers.err" "echo \$? >$T/pers.rc" "sleep 5" >"$T/pers.sh"
fake_init pers someinit "" sh "$T/pers.sh"
for ((i = 0; i < 200; i++)); do [ -s "$T/pers.rc" ] && break; sleep 0.02; done
check_eq "'poweroff' under an unknown init: exit 1" 1 "$(cat "$T/pers.rc" 2>/dev/null)"
check_match "... saying so" "cannot ask it" "$(cat "$T/pers.err" 2>/dev/null)"
kill -9 "$NSPID" 2>/dev/null

done_testing
