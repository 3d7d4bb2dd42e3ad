#!/bin/bash
# make bench / make bench-smoke: guestd beside the physical limit (echo_server)
# and beside its peer (qemu-ga), measured side by side in one run; prints one
# markdown table of values and ratios. Absolute numbers on a shared machine
# are noise; the ratios, taken in interleaved rounds, are the result.
#
# Env: GUESTD, GUESTCTL (binaries, default build/), BENCH_BIN (build/bench:
#      echo_server, pingload, mininit),
#      BENCH_SMOKE=1 (few iterations, seconds), BENCH_NO_CALLGRIND=1 (for a
#      sanitizer build, which valgrind cannot run).
set -euo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
GUESTD=$(realpath "${GUESTD:-$TOP/build/guestd}")
GUESTCTL=$(realpath "${GUESTCTL:-$TOP/build/guestctl}")
B=$(realpath "${BENCH_BIN:-$TOP/build/bench}")
PL=$B/pingload
SMOKE=${BENCH_SMOKE:-0}

if [ "$SMOKE" = 1 ]; then
	RTT_N=200 ROUNDS=2 PIPE_N=2000 CONN_N=320 STARTS=3 CG_N=20 ST_N=20 FLEET_N=50 IDLE_S=3
else
	RTT_N=20000 ROUNDS=20 PIPE_N=300000 CONN_N=48000 STARTS=20 CG_N=2000 ST_N=500 FLEET_N=1000 IDLE_S=60
fi
DEPTH=64 CONNS=16

T=$(mktemp -d /tmp/gdbench.XXXXXX)
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$T"
}
trap cleanup EXIT

# qemu-ga may run every RPC it knows as root: block all but guest-ping, keep
# its state and pid files in $T, no fsfreeze hook. Only guest-ping is sent.
QGA=$(command -v qemu-ga || echo /usr/sbin/qemu-ga)
QGA_BLOCK=$("$QGA" -b help | grep -vx guest-ping | paste -sd, -)
# A guestd with KV also opens a guest-local socket (default /run/guestd.sock):
# keep it in $T, so the bench never meets another agent's.
GUESTD_EXTRA=""
"$GUESTD" --help | grep -q -- '--local-sock' && GUESTD_EXTRA="--local-sock $T/local-%s.sock"
cmd_guestd() {
	echo "$GUESTD --no-vsock --config /nonexistent --cmdline /nonexistent --unix $1 $(printf -- "$GUESTD_EXTRA" "$(basename "$1")")"
}
cmd_echo()   { echo "$B/echo_server $1"; }
cmd_qga()    { echo "$QGA -m unix-listen -p $1 -t $T -f $T/qga-$(basename "$1").pid -b $QGA_BLOCK"; }
kind_of()    { [ "$1" = qga ] && echo qga || echo gd; }
AGENTS="guestd echo qga"

# val KEY LINE: the value of KEY=VALUE in one line of pingload output.
val() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" <<<"$2"; }
# pick NAME OUTPUT: the line of one target.
pick() { grep "^name=$1 " <<<"$2"; }

# start NAME SOCK [WRAPPER...]: run an agent in the background until it
# answers a ping; sets SPID (the agent's pid, or the wrapper's).
start() {
	local name=$1 sock=$2 i
	shift 2
	# shellcheck disable=SC2046
	"$@" $(cmd_"$name" "$sock") >>"$T/$name.log" 2>&1 &
	SPID=$!
	PIDS+=("$SPID")
	for ((i = 0; i < 600; i++)); do
		"$PL" rtt -n 1 "$name=$(kind_of "$name"):$sock" >/dev/null 2>&1 && return 0
		kill -0 "$SPID" 2>/dev/null || break
		sleep 0.05
	done
	echo "bench: $name did not start; log:" >&2
	tail -n 20 "$T/$name.log" >&2
	exit 1
}
# stop PID: SIGTERM and reap; SIGKILL after STOP_GRACE seconds and return 1.
# Debian's qemu-ga 7.2 can deadlock in its SIGTERM handler (it calls
# g_main_loop_quit, which takes a lock the interrupted main loop may hold):
# a stuck peer is killed and said so, never waited on forever.
STOP_GRACE=3
# running PID: it exists and is not a zombie waiting to be reaped.
running() { [ -r "/proc/$1/stat" ] && ! grep -q '^[0-9]* ([^)]*) Z' "/proc/$1/stat" 2>/dev/null; }
stop() {
	local i
	kill -TERM "$1" 2>/dev/null || return 0
	for ((i = 0; i < STOP_GRACE * 20; i++)); do
		running "$1" || { wait "$1" 2>/dev/null || true; return 0; }
		sleep 0.05
	done
	echo "bench: pid $1 ($(tr '\0' ' ' </proc/"$1"/cmdline 2>/dev/null | cut -c1-40)) still running ${STOP_GRACE}s after SIGTERM: killed" >&2
	kill -KILL "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
	return 1
}

targets() { local a; for a in $AGENTS; do echo "$a=$(kind_of "$a"):$T/$a.sock"; done; }

# Placement for the round trip and throughput runs: the agents on one CPU,
# the load client on another, as a guest agent and the host tool that
# drives it are. Left to the scheduler, client and agent sometimes shared
# a CPU and sometimes not, switching mid-run: the guestd/limit ratio of
# the same two binaries read anywhere from 0.54 to 0.90 between runs
# (2 CPUs, 2026-12-07). With one CPU there is nothing to place.
read -r -a CPU_IDS < <(python3 -c 'import os; print(*sorted(os.sched_getaffinity(0)))')
AGENT_CPU=() CLIENT_CPU=() PLACEMENT="not pinned (one CPU, or no taskset)"
if [ "${#CPU_IDS[@]}" -ge 2 ] && command -v taskset >/dev/null; then
	CLIENT_CPU=(taskset -c "${CPU_IDS[0]}")
	AGENT_CPU=(taskset -c "${CPU_IDS[1]}")
	PLACEMENT="agents on CPU ${CPU_IDS[1]}, load client on CPU ${CPU_IDS[0]}"
fi
# load MODE ARGS...: pingload on the load client's CPU.
load() { "${CLIENT_CPU[@]}" "$PL" "$@"; }

# ---- ping: round trip, 64 in flight, 16 connections; then memory ----
declare -A R
for a in $AGENTS; do start "$a" "$T/$a.sock" "${AGENT_CPU[@]}"; declare "PID_$a=$SPID"; done
# Round trips alternate agent by agent request by request: a burst of
# noise on this shared machine then lands on all three alike (p99 too).
out=$(load rtt -n "$RTT_N" -r "$RTT_N" $(targets))
for a in $AGENTS; do
	l=$(pick "$a" "$out")
	R[rtt_med_$a]=$(awk -v n="$(val median_ns "$l")" 'BEGIN{printf "%.1f", n/1000}')
	R[rtt_p99_$a]=$(awk -v n="$(val p99_ns "$l")" 'BEGIN{printf "%.1f", n/1000}')
done
out=$(load pipe -n "$PIPE_N" -r "$ROUNDS" -d "$DEPTH" $(targets))
for a in $AGENTS; do R[pipe_$a]=$(val rps_med "$(pick "$a" "$out")"); done
out=$(load conns -n "$CONN_N" -r "$ROUNDS" -c "$CONNS" $(targets))
for a in $AGENTS; do R[conns_$a]=$(val rps_med "$(pick "$a" "$out")"); done
for a in $AGENTS; do
	p=PID_$a
	R[rss_$a]=$(awk '/^VmRSS:/ {print $2}' "/proc/${!p}/status")
	R[hwm_$a]=$(awk '/^VmHWM:/ {print $2}' "/proc/${!p}/status")
	R[anon_$a]=$(awk '/^RssAnon:/ {print $2}' "/proc/${!p}/status")
	R[file_$a]=$(awk '/^RssFile:/ {print $2}' "/proc/${!p}/status")
done
# bss: its size in the binary and the pages the runs touched (of the
# RSS above), per table of 16 KiB or more (tests/bench/bss_pages.py).
for a in guestd echo; do
	p=PID_$a bin=$GUESTD
	[ $a = echo ] && bin=$B/echo_server
	python3 "$TOP/tests/bench/bss_pages.py" "${!p}" "$bin" 16 >"$T/bss.$a" 2>/dev/null || true
	read -r _ R[bss_$a] R[bsst_$a] < <(grep '^total ' "$T/bss.$a" || echo "total")
done
# KV (when this guestd has it): set, then get, one 64-byte value in the
# host pool; the limit is the echo server answering the same frames.
KV_CAP=$("$GUESTCTL" --unix "$T/guestd.sock" --json info 2>/dev/null | grep -o '"kv"' || true)
if [ -n "$KV_CAP" ]; then
	KV_SET=(-o 8 -u 60:0 -t 61:bench.key -t "62:$(printf '%064d' 0)")
	KV_GET=(-o 7 -u 60:0 -t 61:bench.key)
	kvt=("guestd=gd:$T/guestd.sock" "echo=gd:$T/echo.sock")
	for op in SET GET; do
		declare -n args=KV_$op
		out=$(load pipe -n "$PIPE_N" -r "$ROUNDS" -d "$DEPTH" "${args[@]}" "${kvt[@]}")
		for a in guestd echo; do R[kv${op}pipe_$a]=$(val rps_med "$(pick "$a" "$out")"); done
		out=$(load conns -n "$CONN_N" -r "$ROUNDS" -c "$CONNS" "${args[@]}" "${kvt[@]}")
		for a in guestd echo; do R[kv${op}conns_$a]=$(val rps_med "$(pick "$a" "$out")"); done
		unset -n args
	done
fi
for a in $AGENTS; do p=PID_$a; stop "${!p}" || true; done

# ---- wake-ups while idle: all three side by side, nobody talking to them ----
idle_wakeups() {
	local a
	for a in $AGENTS; do
		bash "$TOP/tests/bench/idle_wakeups.sh" "$IDLE_S" 1 \
			$(cmd_$a "$T/idle-$a.sock") >"$T/idle.$a" 2>/dev/null &
	done
	wait
	for a in $AGENTS; do R[idle_$a]=$(cat "$T/idle.$a"); done
}
idle_wakeups

# ---- start to serving: spawn to first answered ping, interleaved ----
declare -A STARTS_NS
for ((i = 0; i < STARTS; i++)); do
	for a in $AGENTS; do
		# shellcheck disable=SC2046
		l=$("$PL" start -l "$T/$a.log" "$a=$(kind_of "$a"):$T/$a-s.sock" -- $(cmd_"$a" "$T/$a-s.sock"))
		STARTS_NS[$a]+="$(val start_ns "$l") "
	done
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{v[NR]=$1} END{print v[int((NR+1)/2)]}'; }
for a in $AGENTS; do
	R[start_$a]=$(echo "${STARTS_NS[$a]}" | median | awk '{printf "%.2f", $1/1e6}')
done

# ---- footprint ----
kib() { awk -v b="$1" 'BEGIN{printf "%.1f", b/1024}'; }
stripped() { strip -o "$B/$(basename "$1").stripped" "$1" && stat -c %s "$B/$(basename "$1").stripped"; }
# A binary plus every shared library ldd resolves for it, in bytes.
with_libs() {
	local total f
	total=$(stat -L -c %s "$1")
	for f in $(ldd "$1" 2>/dev/null | grep -o '/[^ ]*' | sort -u); do
		total=$((total + $(stat -L -c %s "$f")))
	done
	echo "$total"
}
R[size_guestd]=$(kib "$(stripped "$GUESTD")")
R[size_echo]=$(kib "$(stripped "$B/echo_server")")
R[size_qga]=$(kib "$(with_libs "$QGA")")
R[size_guestctl]=$(kib "$(stripped "$GUESTCTL")")
R[size_tini]=$(kib "$(stat -L -c %s /usr/bin/tini-static)")
# Where guestd's bytes go (tests/bench/size_areas.py on the link map the
# Makefile writes beside it), and the build that leaves out the QGA front
# end and the KV client (make bench-bin builds it in BUILD/opt-min). An
# LTO link's map names its partitions, not the objects: the areas come
# from the same sources linked without LTO (BUILD/nolto), if built.
AREA_MAP=$(dirname "$GUESTD")/nolto/guestd.map
[ -f "$AREA_MAP" ] || AREA_MAP=$GUESTD.map
[ -f "$AREA_MAP" ] && while read -r area k; do R[area_$area]=$k; done \
	< <(python3 "$TOP/tests/bench/size_areas.py" "$AREA_MAP")
GUESTD_MIN=${GUESTD_MIN:-$(dirname "$GUESTD")/opt-min/guestd}
if [ -x "$GUESTD_MIN" ]; then
	strip -o "$B/guestd-min.stripped" "$GUESTD_MIN"
	R[size_min]=$(kib "$(stat -c %s "$B/guestd-min.stripped")")
fi

# ---- request-path cost: instructions and syscalls per ping ----
# Each agent runs twice under the tool: one connection with N pings, one
# with none. Start-up, accept, close and exit are in both runs, so the
# difference divided by N is what one ping costs.
count_run() { # TOOL AGENT N -> total
	local tool=$1 a=$2 n=$3 sock=$T/$2-$1-$3.sock f=$T/$1.$2.$3
	case $tool in
	callgrind) start "$a" "$sock" valgrind -q --tool=callgrind --callgrind-out-file="$f" ;;
	strace) start "$a" "$sock" strace -f -qq -c -o "$f" ;;
	esac
	"$PL" rtt -n "$n" "$a=$(kind_of "$a"):$sock" >/dev/null
	sleep 0.3 # let the agent see the close before it is told to stop
	# A killed agent skipped its exit path (callgrind writes nothing at
	# all): that run counts for nothing and prints no total.
	if [ "$tool" = strace ]; then
		stop "$(pgrep -P "$SPID")" || return 0
		wait "$SPID" 2>/dev/null || true
		awk '$NF == "total" {print $4}' "$f"
	else
		stop "$SPID" || return 0
		awk '/^(summary|totals):/ {print $2; exit}' "$f"
	fi
}
PER_PING_TRIES=5
per_ping() { # TOOL AGENT N
	local with without try v="failed (no clean pair of runs in $PER_PING_TRIES)"
	# A pair of runs disturbed by the machine (a negative difference is
	# impossible for a real cost) or by a killed agent is measured again.
	for try in $(seq "$PER_PING_TRIES"); do
		with=$(count_run "$1" "$2" "$3")
		without=$(count_run "$1" "$2" 0)
		[ -n "$with" ] && [ -n "$without" ] && [ "$with" -ge "$without" ] || continue
		v=$(awk -v a="$with" -v b="$without" -v n="$3" 'BEGIN{printf "%.1f", (a-b)/n}')
		break
	done
	echo "$v"
}
for a in $AGENTS; do
	if [ "${BENCH_NO_CALLGRIND:-0}" = 1 ]; then
		R[ins_$a]="skipped (sanitizer build)"
	else
		R[ins_$a]=$(per_ping callgrind "$a" "$CG_N")
	fi
	R[sys_$a]=$(per_ping strace "$a" "$ST_N")
done

# ---- the table ----
# row LABEL BETTER GUESTD LIMIT PEER: BETTER is lower|higher|- (no ratios).
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN{
		if (a !~ /^[0-9.]+$/ || b !~ /^[0-9.]+$/ || b + 0 == 0) print "—";
		else printf "%.2f", a / b }'
}
row() {
	local r1=— r2=—
	if [ "$2" != - ]; then r1=$(ratio "$3" "$4"); r2=$(ratio "$3" "$5"); fi
	printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$1" "$2" "$3" "$4" "$5" "$r1" "$r2"
}
na() { printf '| %s | — | n/a (%s) | — | — | — | — |\n' "$1" "$2"; }
g() { echo "${R[$1_guestd]}"; }
e() { echo "${R[$1_echo]}"; }
q() { echo "${R[$1_qga]}"; }

# ---- fleet: FLEET_N agents on unix sockets, one guestctl ----
# Per target: ping's elapsed_ns (connect, HELLO, PING); time's best-sample
# round trip. The fleet measures time (TIME_GET) and does not sync: these
# agents run on this machine, whose clock is never set.
fleet() {
	local dir=$T/fleet i start=${#PIDS[@]}
	mkdir -p "$dir"
	: >"$dir/targets"
	for ((i = 0; i < FLEET_N; i++)); do
		"$GUESTD" --no-vsock --local-sock "" --config /nonexistent --cmdline /nonexistent \
			--timesync-port 0 --unix "$dir/$i.sock" >/dev/null 2>&1 &
		PIDS+=($!)
		echo "unix:$dir/$i.sock" >>"$dir/targets"
	done
	"$GUESTCTL" --targets "$dir/targets" --timeout 60000 wait-ready >/dev/null
	for cmd in ping time; do
		"$GUESTCTL" --targets "$dir/targets" --timeout 30000 --json $cmd >"$dir/$cmd.json" || true
		read -r R[fleet_${cmd}_wall] R[fleet_${cmd}_p50] R[fleet_${cmd}_p99] < <(python3 - "$dir/$cmd.json" <<'PYEOF'
import json, sys
per, wall = [], "—"
for line in open(sys.argv[1]):
    o = json.loads(line)
    if o.get("summary"):
        wall = "%.1f" % (o["wall_ns"] / 1e6) if o["failed"] == 0 else "failed"
    elif o.get("ok"):
        per.append(o.get("elapsed_ns", o.get("delay_ns", 0)) / 1e6)
per.sort()
q = lambda f: "%.3f" % per[min(len(per) - 1, int(f * len(per)))] if per else "—"
print(wall, q(0.5), q(0.99))
PYEOF
)
	done
	for ((i = start; i < ${#PIDS[@]}; i++)); do kill "${PIDS[$i]}" 2>/dev/null || true; done
}
fleet

# ---- boot to ready in QEMU: kernel's "Run /init" to the init's ready line ----
# The default image (--modules default, initramfs/guestd.conf) with guestd
# as /init, and the same image with the limit, tests/bench/mininit, as
# /init: the same mounts, loopback, modules in the same order and vsock
# listener, then its ready line. BOOTS boots of each, alternating (which
# boots first swaps every round); the median of each. QEMU is killed once
# the line is there: nothing after it is measured. printk.devkmsg=on for
# both: guestd's ready line is its 11th to /dev/kmsg in this image, past the
# kernel's burst of 10, and would reach the console without a time stamp.
# Then BOOTS_IC boots of each with -icount shift=0: the guest's clock is
# its instruction count (1 ns each), so the time is the work the guest did,
# whatever the host's load, and without TCG's cost of translating code the
# first time it runs, which grows with the code an init runs and is not
# there under KVM.
boot_once() { # NAME IMG REGEX FILE [QEMU ARG...]: appends "ms modules_ms" to FILE
	local name=$1 img=$2 re=$3 file=$4
	shift 4
	(
		source "$TOP/tests/e2e/qemu-boot.sh"
		QB_ACCEL=tcg QB_LOGDIR=$T
		qb_start --initrd "$img" --name "boot-$name" --append printk.devkmsg=on -- "$@" >/dev/null 2>&1 || exit 0
		a='' b=''
		if qb_wait_line "$re" 120; then
			a=$(qb_kernel_time 'Run /init as init process')
			b=$(qb_kernel_time "$re")
		fi
		if [ -n "$a" ] && [ -n "$b" ]; then
			m=$(sed -n 's/.*: [0-9]* modules loaded in \([0-9]*\) ms.*/\1/p' "$QB_LOG" | head -n1)
			awk -v a="$a" -v b="$b" -v m="${m:-?}" \
				'BEGIN { printf "%.0f %s\n", (b - a) * 1000, m }' >>"$file"
		else
			echo "bench: $name: no time-stamped \"Run /init\" and /$re/ lines on the console; its end:" >&2
			tail -n 15 "$QB_LOG" >&2
		fi
		qb_stop
	)
}
# boot_rounds N SUFFIX [QEMU ARG...]: N boots of each init, alternating, into
# $T/boot.SUFFIX.NAME; R[boot_SUFFIX_NAME] the median.
boot_rounds() {
	local rounds=$1 suffix=$2 i n order
	shift 2
	for n in guestd mininit; do : >"$T/boot.$suffix.$n"; done
	for ((i = 0; i < rounds; i++)); do
		order=$inits
		[ $((i % 2)) = 0 ] || order=$(tr ' ' '\n' <<<"$inits" | tac | paste -sd' ' -)
		for n in $order; do
			boot_once "$n" "$T/boot-$n.cpio.gz" "$n: $n .*ready" "$T/boot.$suffix.$n" "$@"
		done
	done
	for n in guestd mininit; do
		[ ! -s "$T/boot.$suffix.$n" ] || R[boot_${suffix}_$n]=$(cut -d' ' -f1 "$T/boot.$suffix.$n" | median)
	done
}
# boot_scaled SUFFIX: each boot of $T/boot.SUFFIX.* at one host speed, into
# R[boot_scaled_NAME] (median, ms). This machine's CPUs each run at full or
# half speed for spells of 0.3 to 3 s, independently (measured 2026-12-07),
# so which spell a boot lands in moves its time by up to 2x. Module loading
# is the same work in both inits (-icount: 228 ms of instructions in each)
# inside the same window, so it gauges the speed of its own boot: every
# boot is scaled by the median module time of all boots over its own.
boot_scaled() {
	local suffix=$1 ref n
	[ -n "${R[boot_${suffix}_guestd]:-}" ] || return 0 # no boot: R[boot_why] says why
	ref=$(cat "$T/boot.$suffix.guestd" "$T/boot.$suffix.mininit" 2>/dev/null |
		awk '$2 ~ /^[0-9]+$/ && $2 > 0 { print $2 }' | median)
	R[boot_scaled_why]="no boot printed its module time (\"N modules loaded in M ms\")"
	[ -n "$ref" ] || return 0
	for n in guestd mininit; do
		R[boot_scaled_$n]=$(awk -v ref="$ref" '$2 ~ /^[0-9]+$/ && $2 > 0 { printf "%.0f\n", $1 * ref / $2 }' \
			"$T/boot.$suffix.$n" 2>/dev/null | median)
	done
	R[boot_scaled_ref]=$ref
}
# host_speed: each CPU's speed over a few seconds, all at once, into
# R[host_speed] (cpuspeed: rounds of a fixed loop per 50 ms slice).
host_speed() {
	local secs=3 cpu out="" pids=()
	[ "$SMOKE" = 1 ] && secs=1
	[ -x "$B/cpuspeed" ] && command -v taskset >/dev/null || return 0
	for cpu in "${CPU_IDS[@]}"; do
		taskset -c "$cpu" "$B/cpuspeed" "$secs" >"$T/speed.$cpu" 2>&1 &
		pids+=($!)
	done
	wait "${pids[@]}" || true
	for cpu in "${CPU_IDS[@]}"; do
		out+="${out:+; }CPU $cpu $(sed 's/=/ /g' "$T/speed.$cpu")"
	done
	R[host_speed]="$out"
}
boot_to_ready() {
	local kdir=$TOP/build/kernel mods=default
	# 9, not 5: module loading, the same work for both, took 300 to 600 ms
	# a boot, and five boots of each read guestd/mininit 0.93 in one run
	# and 1.47 in the next (2026-12-07).
	BOOTS=9
	# Counted time barely moves (230 and 231 ms, 229 and 229 in 3 boots
	# each), and a boot takes about 13 s: three show it is steady. The
	# smoke run has none (n/a).
	BOOTS_IC=3
	[ "$SMOKE" = 1 ] && BOOTS=1 BOOTS_IC=0
	R[boot_why]="no kernel in build/kernel, no QEMU, not root, or a guestd that is not static"
	R[boot_ic_why]=${R[boot_why]}
	[ -f "$kdir/vmlinuz" ] && command -v qemu-system-x86_64 >/dev/null && [ "$(id -u)" = 0 ] || return 0
	[[ "$(file -L "$GUESTD")" == *"statically linked"* ]] || return 0 # /init must be static
	R[boot_why]="mkinitramfs.sh failed"
	R[boot_ic_why]=${R[boot_why]}
	"$TOP/initramfs/mkinitramfs.sh" --init "$GUESTD" --guestctl "$GUESTCTL" \
		--conf "$TOP/initramfs/guestd.conf" --kernel-dir "$kdir" --modules "$mods" \
		--out "$T/boot-guestd.cpio.gz" >/dev/null 2>&1 || return 0
	inits="guestd"
	if [ ! -x "$B/mininit" ]; then
		echo "bench: no $B/mininit (make bench-tools): boot to ready has no limit" >&2
	elif "$TOP/initramfs/mkinitramfs.sh" --init "$B/mininit" --guestctl "$GUESTCTL" \
		--conf "$TOP/initramfs/guestd.conf" --kernel-dir "$kdir" --modules "$mods" \
		--out "$T/boot-mininit.cpio.gz" >"$T/mkinit.log" 2>&1; then
		inits="guestd mininit"
	else
		echo "bench: mkinitramfs.sh for mininit failed: $(tail -n1 "$T/mkinit.log")" >&2
	fi
	host_speed
	boot_rounds "$BOOTS" wall
	boot_scaled wall
	R[boot_why]="no boot reached guestd's ready line (see above)"
	R[boot_ic_why]="the smoke run boots without -icount only (about 13 s a boot)"
	[ "$BOOTS_IC" = 0 ] && return 0
	boot_rounds "$BOOTS_IC" ic -icount shift=0
	R[boot_ic_why]="no -icount boot reached guestd's ready line (see above)"
	return 0
}
boot_to_ready

# ---- holding the time: a TCG guest whose clock drifts +15000 ppm ----
# The offset HOLD_S after a sync, on the same guest: with the frequency
# discipline learned from WATCH_S of `time sync --watch`, and without any
# correction (--freq reset: the offset alone, as qemu-ga's guest-set-time).
time_hold() {
	local img=$T/hold.cpio.gz kdir=$TOP/build/kernel watch=60 interval=10 hold=60
	[ "$SMOKE" = 1 ] && watch=6 interval=2 hold=5
	R[hold]=""
	[ -f "$kdir/vmlinuz" ] && command -v qemu-system-x86_64 >/dev/null && [ "$(id -u)" = 0 ] || return 0
	[[ "$(file -L "$GUESTD")" == *"statically linked"* ]] || return 0
	printf 'serial=org.guestd.0\n' >"$T/hold.conf"
	"$TOP/initramfs/mkinitramfs.sh" --init "$GUESTD" --guestctl "$GUESTCTL" \
		--conf "$T/hold.conf" --kernel-dir "$kdir" --modules virtio_pci,virtio_console \
		--out "$img" >/dev/null 2>&1 || return 0
	(
		source "$TOP/tests/e2e/qemu-boot.sh"
		QB_ACCEL=tcg QB_LOGDIR=$T
		skew=$(qb_skew_append 15000) || exit 0
		qb_start --initrd "$img" --name hold --append " $skew" >/dev/null 2>&1 || exit 0
		if qb_wait_agent "$GUESTCTL" >/dev/null 2>&1; then
			GUESTCTL=$GUESTCTL python3 -B "$TOP/tests/bench/time_hold.py" "$QB_SOCK" \
				"$watch" "$interval" "$hold" >"$T/hold.out" 2>"$T/hold.err" || true
		fi
		"$GUESTCTL" --unix "$QB_SOCK" --timeout 10000 shutdown >/dev/null 2>&1
		qb_wait_exit 30 >/dev/null 2>&1
		qb_stop
	)
	R[hold_s]=$hold
	[ -s "$T/hold.out" ] && R[hold]=$(cat "$T/hold.out")
	return 0
}
time_hold

mode="full"; [ "$SMOKE" = 1 ] && mode="smoke (few iterations: not a result)"
echo "guestd bench, $mode: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) CPUs, $(uname -sr), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "limit = tests/bench/echo_server (same framing, no protocol work); peer = $("$QGA" -V 2>&1 | head -n1 | sed 's/^QEMU Guest Agent /qemu-ga /') unless the row says otherwise"
echo "interleaving: round trips alternate between agents on every request; throughput runs in $ROUNDS alternating rounds, req/s of the median round"
echo "placement: $PLACEMENT"
echo
echo "| measure | better | guestd | limit | peer | guestd/limit | guestd/peer |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
row "ping round trip, 1 conn, $RTT_N requests: median µs" lower "$(g rtt_med)" "$(e rtt_med)" "$(q rtt_med)"
row "ping round trip, 1 conn, $RTT_N requests: p99 µs" lower "$(g rtt_p99)" "$(e rtt_p99)" "$(q rtt_p99)"
row "ping throughput, $DEPTH in flight on 1 conn, req/s" higher "$(g pipe)" "$(e pipe)" "$(q pipe)"
row "ping throughput, $CONNS conns at once, req/s" higher "$(g conns)" "$(e conns)" "$(q conns)"
for op in set get; do
	OP=${op^^}
	for how in pipe conns; do
		label="KV $op throughput, $DEPTH in flight on 1 conn, req/s (peer: no KV)"
		[ $how = conns ] && label="KV $op throughput, $CONNS conns at once, req/s (peer: no KV)"
		if [ -z "$KV_CAP" ]; then
			na "$label" "no KV in this build"
		else
			row "$label" higher "${R[kv$OP${how}_guestd]}" "${R[kv$OP${how}_echo]}" —
		fi
	done
done
row "start to serving (spawn to first ping answered), median of $STARTS, ms" lower "$(g start)" "$(e start)" "$(q start)"
row "size on disk, stripped, KiB (peer: binary + its shared libraries)" lower "$(g size)" "$(e size)" "$(q size)"
row "size on disk, stripped, KiB, guestd vs peer tini-static $(dpkg-query -W -f='${Version}' tini 2>/dev/null) (reference PID 1)" lower "$(g size)" — "${R[size_tini]}"
row "size on disk, stripped, KiB: guestctl (host tool)" - "${R[size_guestctl]}" — —
min_label="size on disk, stripped, KiB: guestd built with make GD_QGA=0 GD_KV_CLI=0 (peer: binary + its shared libraries)"
if [ -n "${R[size_min]:-}" ]; then
	row "$min_label" lower "${R[size_min]}" "$(e size)" "$(q size)"
else
	na "$min_label" "not built: make bench-bin builds it, or set GUESTD_MIN"
fi
for area in wire qga kv time init auth base libc; do
	case $area in
	wire) what="wire: transports, loop, codec, dispatch, PING/INFO" ;;
	qga) what="QGA: the QEMU guest agent front end and its commands" ;;
	kv) what="KV: pools, persistence, the guest-local socket, guestd kv" ;;
	time) what="time: sync, discipline, clock watch" ;;
	init) what="init: PID 1, workload, shutdown, modules, mounts" ;;
	auth) what="auth: HMAC sessions (BearSSL), peer policy" ;;
	base) what="base: config, logging, main" ;;
	libc) what="libc (musl) and start files" ;;
	esac
	if [ -n "${R[area_$area]:-}" ]; then
		row "size by area from the link map, KiB: $what" - "${R[area_$area]}" — —
	else
		na "size by area from the link map, KiB: $what" "no $AREA_MAP (make bench-bin links BUILD/nolto with -Wl,-Map)"
	fi
done
row "VmRSS after the ping runs, KiB" lower "$(g rss)" "$(e rss)" "$(q rss)"
row "VmHWM after the ping runs, KiB" lower "$(g hwm)" "$(e hwm)" "$(q hwm)"
row "RssAnon after the ping runs, KiB (memory of its own: bss, data, stack)" lower "$(g anon)" "$(e anon)" "$(q anon)"
row "RssFile after the ping runs, KiB (the binary's and libraries' pages, shared with the page cache)" lower "$(g file)" "$(e file)" "$(q file)"
row "bss in the binary, KiB (zeroed memory: costs RSS only where touched)" - "${R[bss_guestd]:-}" "${R[bss_echo]:-}" —
row "bss touched after the ping runs, KiB (own pages of the VmRSS above)" lower "${R[bsst_guestd]:-}" "${R[bsst_echo]:-}" —
row "instructions per ping, user space (callgrind, $CG_N pings minus 0)" lower "$(g ins)" "$(e ins)" "$(q ins)"
row "syscalls per ping (strace -c, $ST_N pings minus 0)" lower "$(g sys)" "$(e sys)" "$(q sys)"
row "wake-ups while idle, $IDLE_S s with nobody connected (context switches)" lower "$(g idle)" "$(e idle)" "$(q idle)"
row "fleet: ping $FLEET_N agents, one guestctl (columns: wall ms, per-target p50 ms, p99 ms)" - "${R[fleet_ping_wall]}" "${R[fleet_ping_p50]}" "${R[fleet_ping_p99]}"
row "fleet: time (TIME_GET, 8 samples) $FLEET_N agents (columns: wall ms, best-sample round trip p50 ms, p99 ms)" - "${R[fleet_time_wall]}" "${R[fleet_time_p50]}" "${R[fleet_time_p99]}"
if [ -n "${R[boot_wall_guestd]:-}" ]; then
	row "boot to ready in QEMU, TCG, default image (kernel's Run /init to the ready line), median of $BOOTS, ms (limit: tests/bench/mininit as /init)" lower "${R[boot_wall_guestd]}" "${R[boot_wall_mininit]:-—}" —
else
	na "boot to ready in QEMU, TCG, default image" "${R[boot_why]}"
fi
if [ -n "${R[boot_scaled_guestd]:-}" ]; then
	row "boot to ready in QEMU, TCG, the same boots at one host speed (each scaled by the median module time, ${R[boot_scaled_ref]} ms, over its own), median, ms" lower "${R[boot_scaled_guestd]}" "${R[boot_scaled_mininit]:-—}" —
else
	na "boot to ready in QEMU, TCG, the same boots at one host speed" "${R[boot_scaled_why]:-${R[boot_why]}}"
fi
if [ -n "${R[boot_ic_guestd]:-}" ]; then
	row "boot to ready in QEMU, TCG -icount shift=0 (guest time = instructions run), the same images, median of $BOOTS_IC, ms" lower "${R[boot_ic_guestd]}" "${R[boot_ic_mininit]:-—}" —
else
	na "boot to ready in QEMU, TCG -icount" "${R[boot_ic_why]}"
fi
# guestd's bss tables: size and touched, KiB (bss_pages.py).
printf -v bss_tables '%s, ' $(awk '$1 != "total" {printf "%s=%s/%s ", $1, $2, $3}' "$T/bss.guestd" 2>/dev/null)
BSS_LINE="bss tables of guestd of 16 KiB or more, size/touched KiB after the ping runs: ${bss_tables%, }"
hold_label="time held: absolute offset ${R[hold_s]:-60} s after the last sync, TCG guest skewed +15000 ppm (its TSC told wrong), ms (peer: the same guestd, no frequency correction)"
if [[ ${R[hold]} =~ ^[0-9.]+\ [0-9.]+\  ]]; then
	read -r with without drift learned <<<"${R[hold]}"
	row "$hold_label" lower "$with" — "$without"
	printf '\ntime held: the guest drifted %s ppm; the correction guestd learned: %s ppm\n' "$drift" "$learned"
elif [[ ${R[hold]} == jump* ]]; then
	na "time held" "${R[hold]}"
else
	na "time held" "no kernel in build/kernel, no QEMU, not root, or a guestd that is not static"
fi
printf '\n%s\n' "$BSS_LINE"
# Each boot in order, ms from Run /init to ready (the init's own figure for
# its modules), and the median of the rest: the same modules load in both,
# and their time is most of the noise under TCG.
boot_line() { awk '{ printf "%s%s (%s)", (NR > 1 ? ", " : ""), $1, $2 } END { if (!NR) printf "none" }' "$T/boot.$1" 2>/dev/null || echo none; }
boot_rest() {
	local r
	r=$(awk '$2 ~ /^[0-9]+$/ { print $1 - $2 }' "$T/boot.$1" 2>/dev/null | median)
	echo "${r:-—}"
}
[ -z "${R[host_speed]:-}" ] ||
	printf 'host CPUs just before the boots (build/bench/cpuspeed, 50 ms slices; slow: under 0.7 of the best slice): %s\n' "${R[host_speed]}"
for how in wall ic; do
	[ -n "${R[boot_${how}_guestd]:-}" ] || continue
	what="boot to ready"
	[ $how = ic ] && what="boot to ready with -icount"
	printf '%s, each boot in order, ms (modules ms): guestd %s; mininit %s\n' "$what" "$(boot_line $how.guestd)" "$(boot_line $how.mininit)"
	printf '%s without the modules, median ms: guestd %s, mininit %s\n' "$what" "$(boot_rest $how.guestd)" "$(boot_rest $how.mininit)"
done
