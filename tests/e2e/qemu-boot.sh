#!/bin/bash
# Boot Debian's cloud kernel plus an initramfs in QEMU, for the e2e tests and the demo.
#
# As a library:   . tests/e2e/qemu-boot.sh
#   qb_start --initrd IMG [--name N] [--append "k=v ..."] [--rtc-base B] [-- qemu args]
#   qb_wait_line REGEX [TIMEOUT_S]   0 seen, 1 timeout, 2 QEMU gone first
#   qb_wait_exit [TIMEOUT_S]         0 QEMU exited by itself (its status in QB_STATUS),
#                                    1 timeout (killed) or guest kernel panic
#   qb_skip_reason                   why an e2e test cannot run here (empty: it can);
#                                    fetches the kernel into build/kernel if missing
#   qb_wait_agent GUESTCTL [TRIES]   0 once the agent answers a ping over QB_SOCK
#                                    (3 s each try, TRIES default 20), 1 if not
#   qb_exit_kind                     prints poweroff | restart | panic | unknown
#   qb_kernel_time REGEX             printk timestamp (s) of the first matching line
#   qb_skew_append PPM               kernel args that make the guest clock run PPM
#                                    (|PPM| >= 15000) fast (+) or slow (-): the TSC
#                                    frequency told wrong (cached probe of the real one)
#   qb_monitor CMD                   a QEMU monitor command (qb_start --monitor first)
#   qb_fail "why"                    kills QEMU if running, prints why, the log path and its
#                                    last 50 lines, keeps the log; returns 0, caller exits
#   qb_stop                          kills QEMU if still running, removes the socket dir and,
#                                    unless qb_fail ran, the console log
# After qb_start: QB_PID, QB_LOG (console), QB_SOCK (virtio-serial chardev socket, port
# name QB_PORT, default org.guestd.0), QB_ACCEL (as chosen), QB_T0 (start, in epoch
# microseconds: `_qb_since "$QB_T0"` prints the seconds since).
# Knobs: QB_KERNEL (build/kernel/vmlinuz), QB_MEM (256), QB_ACCEL (auto|tcg|kvm),
#        QB_QUIET=1 adds "quiet" (hides "Run /init"), QB_LOGDIR (build/e2e).
# The functions return codes instead of exiting, so they work under set -e in `if`.
#
# As a runner:    tests/e2e/qemu-boot.sh IMG [kernel args...]
#   boots IMG, prints the console, waits up to QB_TIMEOUT (60) s for QEMU to exit.

QB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
QB_KERNEL=${QB_KERNEL:-$QB_ROOT/build/kernel/vmlinuz}
QB_MEM=${QB_MEM:-256}
QB_ACCEL=${QB_ACCEL:-auto}
QB_LOGDIR=${QB_LOGDIR:-$QB_ROOT/build/e2e}
QB_PORT=${QB_PORT:-org.guestd.0}
QB_MON='' QB_PID='' QB_LOG='' QB_SOCK='' QB_RUNDIR='' QB_T0='' QB_KEEP='' QB_STATUS=''

# Microseconds since the epoch, from bash's own clock (no fork).
_qb_us() { local t=${EPOCHREALTIME//[!0-9]/}; echo "$((10#$t))"; }
# Seconds, 2 decimals, since a _qb_us value.
_qb_since() { local d=$(($(_qb_us) - $1)); printf '%d.%02d' $((d / 1000000)) $((d % 1000000 / 10000)); }

# /dev/kvm may exist yet not run a stock guest (nested or Firecracker hosts: the
# kernel hangs after "Probing EDD"). Boot the kernel alone: it must reach its
# "no root fs" panic, which panic=-1 and -no-reboot turn into a QEMU exit.
# The answer is cached per host kernel and guest kernel size.
qb_probe_kvm() {
	[ -r /dev/kvm ] && [ -w /dev/kvm ] || return 1
	local cache="$QB_LOGDIR/kvm-probe" key log pid i
	key="$(uname -r) $(stat -c %s "$QB_KERNEL" 2>/dev/null)"
	if [ -f "$cache" ] && [ "$(sed -n 1p "$cache")" = "$key" ]; then
		[ "$(sed -n 2p "$cache")" = yes ]
		return
	fi
	mkdir -p "$QB_LOGDIR"
	log="$QB_LOGDIR/kvm-probe.log"
	qemu-system-x86_64 -machine pc -accel kvm -m "$QB_MEM" -nographic -no-reboot \
		-kernel "$QB_KERNEL" -append "console=ttyS0 panic=-1" </dev/null >"$log" 2>&1 &
	pid=$!
	for ((i = 0; i < 80; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	if grep -q 'Kernel panic' "$log"; then
		printf '%s\nyes\n' "$key" >"$cache"
		return 0
	fi
	printf '%s\nno\n' "$key" >"$cache"
	return 1
}

qb_pick_accel() {
	case $QB_ACCEL in
	tcg|kvm) echo "$QB_ACCEL" ;;
	*) if qb_probe_kvm; then echo kvm; else echo tcg; fi ;;
	esac
}

qb_start() {
	local initrd='' name=guest append='' rtc='' extra=() monitor=''
	while [ $# -gt 0 ]; do
		case $1 in
		--initrd) initrd=$2; shift 2 ;;
		--monitor) monitor=1; shift ;;
		--name) name=$2; shift 2 ;;
		--append) append="$append $2"; shift 2 ;;
		--rtc-base) rtc=$2; shift 2 ;;
		--) shift; extra=("$@"); break ;;
		*) echo "qb_start: unknown option $1" >&2; return 2 ;;
		esac
	done
	[ -f "$initrd" ] || { echo "qb_start: initrd '$initrd' not found" >&2; return 2; }
	[ -f "$QB_KERNEL" ] || { echo "qb_start: kernel $QB_KERNEL not found (make kernel)" >&2; return 2; }
	command -v qemu-system-x86_64 >/dev/null || { echo "qb_start: qemu-system-x86_64 missing" >&2; return 2; }

	QB_ACCEL=$(qb_pick_accel)
	mkdir -p "$QB_LOGDIR"
	QB_LOG="$QB_LOGDIR/$name.console.log"
	# Unix socket paths are limited to 107 bytes: keep them short, in /tmp.
	QB_RUNDIR=$(mktemp -d /tmp/guestd-e2e.XXXXXX)
	QB_SOCK="$QB_RUNDIR/serial.sock"
	QB_KEEP=
	local cmdline="console=ttyS0 panic=-1 printk.time=1"
	[ -z "${QB_QUIET:-}" ] || cmdline="$cmdline quiet"
	local args=(-machine pc -accel "$QB_ACCEL" -m "$QB_MEM" -nographic -no-reboot
		-kernel "$QB_KERNEL" -initrd "$initrd" -append "$cmdline$append"
		-device virtio-serial-pci
		-chardev "socket,id=gd0,path=$QB_SOCK,server=on,wait=off"
		-device "virtserialport,chardev=gd0,name=$QB_PORT")
	[ -z "$rtc" ] || args+=(-rtc "base=$rtc")
	QB_MON=''
	if [ -n "$monitor" ]; then
		QB_MON="$QB_RUNDIR/monitor.sock"
		args+=(-monitor "unix:$QB_MON,server=on,wait=off")
	fi
	echo "qemu-system-x86_64 ${args[*]} ${extra[*]}" >"$QB_LOG.cmd"
	QB_T0=$(_qb_us)
	# stdin from /dev/null: -nographic would otherwise put a terminal in raw mode.
	qemu-system-x86_64 "${args[@]}" "${extra[@]}" </dev/null >"$QB_LOG" 2>&1 &
	QB_PID=$!
}

qb_running() { [ -n "$QB_PID" ] && kill -0 "$QB_PID" 2>/dev/null; }

qb_wait_line() {
	local re=$1 timeout=${2:-30} deadline
	deadline=$(($(_qb_us) + timeout * 1000000))
	while :; do
		grep -qE -- "$re" "$QB_LOG" 2>/dev/null && return 0
		if ! qb_running; then
			grep -qE -- "$re" "$QB_LOG" 2>/dev/null && return 0
			return 2
		fi
		[ "$(_qb_us)" -lt "$deadline" ] || return 1
		sleep 0.1
	done
}

qb_wait_exit() {
	local timeout=${1:-30} i
	for ((i = 0; i < timeout * 10; i++)); do
		qb_running || break
		sleep 0.1
	done
	if qb_running; then
		kill -TERM "$QB_PID" 2>/dev/null || true
		sleep 1
		kill -KILL "$QB_PID" 2>/dev/null || true
		wait "$QB_PID" 2>/dev/null || true
		echo "qb_wait_exit: QEMU still running after ${timeout}s, killed" >&2
		return 1
	fi
	QB_STATUS=0
	wait "$QB_PID" 2>/dev/null || QB_STATUS=$?
	# With panic=-1 and -no-reboot a panic (e.g. /init exiting) is also a clean exit.
	if grep -q 'Kernel panic' "$QB_LOG"; then
		echo "qb_wait_exit: guest kernel panicked" >&2
		return 1
	fi
	return 0
}

qb_skip_reason() {
	local log=${T:-/tmp}/fetch-kernel.log
	[ "${MODE:-release}" = release ] || { echo "QEMU e2e runs in the release pass only (static binaries)"; return; }
	[ "$(id -u)" = 0 ] || { echo "needs root to build the initramfs"; return; }
	command -v qemu-system-x86_64 >/dev/null || { echo "no qemu-system-x86_64"; return; }
	[ -f "$QB_ROOT/build/kernel/vmlinuz" ] && return
	"$QB_ROOT/initramfs/fetch-kernel.sh" "$QB_ROOT/build/kernel" >"$log" 2>&1 ||
		echo "no guest kernel: $(tail -n1 "$log")"
}

# A serial connection takes about 0.7 s to get its first answer under TCG,
# so each try waits 3 s.
qb_wait_agent() {
	local gc=$1 tries=${2:-20} i
	for ((i = 0; i < tries; i++)); do
		"$gc" --timeout 3000 --unix "$QB_SOCK" ping >/dev/null 2>&1 && return 0
		qb_running || return 1
		sleep 0.5
	done
	return 1
}

qb_exit_kind() {
	if grep -q 'Kernel panic' "$QB_LOG"; then echo panic
	elif grep -q 'reboot: Power down' "$QB_LOG"; then echo poweroff
	elif grep -q 'reboot: Restarting system' "$QB_LOG"; then echo restart
	else echo unknown; fi
}

# The TSC frequency the guest kernel measures at boot (kHz), from a boot of
# the kernel alone; cached per host kernel, CPU model and guest kernel.
qb_tsc_khz() {
	local cache="$QB_LOGDIR/tsc-khz" key log pid i mhz
	key="$(uname -r) $(grep -m1 '^model name' /proc/cpuinfo | tr -s ' ') $(stat -c %s "$QB_KERNEL" 2>/dev/null)"
	if [ -f "$cache" ] && [ "$(sed -n 1p "$cache")" = "$key" ]; then
		sed -n 2p "$cache"
		return 0
	fi
	mkdir -p "$QB_LOGDIR"
	log="$QB_LOGDIR/tsc-probe.log"
	qemu-system-x86_64 -machine pc -accel tcg -m "$QB_MEM" -nographic -no-reboot \
		-kernel "$QB_KERNEL" -append "console=ttyS0 panic=-1" </dev/null >"$log" 2>&1 &
	pid=$!
	for ((i = 0; i < 300; i++)); do
		grep -q 'tsc: Detected [0-9.]* MHz processor' "$log" && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	mhz=$(sed -n 's/.*tsc: Detected \([0-9]*\)\.\([0-9]*\) MHz processor.*/\1\2/p' "$log" | head -n1)
	[ -n "$mhz" ] || return 1
	printf '%s\n%s\n' "$key" "$((10#$mhz))" >"$cache"
	echo "$((10#$mhz))"
}

# Skipping the kernel's TSC calibration (tsc_early_khz) with a value more
# than 1% off also skips its refinement, and tsc=reliable keeps the clock
# watchdog from switching to the HPET: the guest clock then runs off by
# the ratio, the way a badly calibrated TSC does.
qb_skew_append() {
	local ppm=$1 khz
	khz=$(qb_tsc_khz) || return 1
	echo "tsc_early_khz=$((khz * 1000000 / (1000000 + ppm))) tsc=reliable"
}

qb_monitor() {
	[ -n "${QB_MON:-}" ] || { echo "qb_monitor: qb_start --monitor first" >&2; return 2; }
	printf '%s\n' "$*" | socat -t 2 - "unix-connect:$QB_MON" >/dev/null
}

qb_kernel_time() {
	grep -E -m1 -- "^\[ *[0-9]+\.[0-9]+\] .*$1" "$QB_LOG" 2>/dev/null |
		sed 's/^\[ *\([0-9.]*\)\].*/\1/' || true
}

qb_fail() {
	QB_KEEP=1
	if qb_running; then
		kill -KILL "$QB_PID" 2>/dev/null || true
		wait "$QB_PID" 2>/dev/null || true
	fi
	echo "FAIL: $*" >&2
	echo "console log kept: $QB_LOG (accel $QB_ACCEL); last 50 lines:" >&2
	tail -n 50 "$QB_LOG" 2>/dev/null | sed 's/^/  | /' >&2 || true
	return 0
}

qb_stop() {
	if qb_running; then
		kill -KILL "$QB_PID" 2>/dev/null || true
		wait "$QB_PID" 2>/dev/null || true
	fi
	[ -z "$QB_RUNDIR" ] || rm -rf "$QB_RUNDIR"
	[ -n "$QB_KEEP" ] || rm -f "$QB_LOG" "$QB_LOG.cmd"
	QB_PID='' QB_RUNDIR=''
	return 0
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -euo pipefail
	[ $# -ge 1 ] || { echo "usage: $0 IMG [kernel args...]" >&2; exit 2; }
	img=$1; shift
	qb_start --initrd "$img" --name run --append "$*"
	echo "booting $img (accel $QB_ACCEL, pid $QB_PID, serial socket $QB_SOCK)"
	rc=0
	qb_wait_exit "${QB_TIMEOUT:-60}" || rc=1
	cat "$QB_LOG"
	t_init=$(qb_kernel_time 'Run /init')
	echo "QEMU gone after $(_qb_since "$QB_T0") s, status ${QB_STATUS:-?}; exit kind $(qb_exit_kind); Run /init at ${t_init:-?} s (kernel clock)"
	[ $rc = 0 ] || qb_fail "QEMU did not exit cleanly"
	qb_stop
	exit $rc
fi
