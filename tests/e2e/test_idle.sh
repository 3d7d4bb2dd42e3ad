#!/bin/bash
# An idle guestd costs the host nothing: in a QEMU guest (TCG) with guestd
# as PID 1, serving a virtio-serial port whose host has hung up, with the
# QGA port's default name absent and vsock listening, a workload counts
# PID 1's context switches over IDLE_S seconds in which nobody talks to
# it. Every wake-up is one switch: no clock check on a timer (a clock-set
# timerfd instead), no port rescans (uevents), no hung-port polling
# (SIGIO). Then the host connects again and its first ping is answered
# (SIGIO brought the hung port back), and the workload ends: power off.
#
# Needs root (mkinitramfs makes device nodes), qemu-system-x86_64,
# Debian's cloud kernel (build/kernel) and busybox-static.
source "$(dirname "$0")/../lib/lib.sh"
source "$(dirname "$0")/qemu-boot.sh"
source "$(dirname "$0")/../lib/pidns.sh" # quiet

IDLE_S=20
IDLE_WAKE_MAX=2 # 0 expected; a stray kernel uevent may cost one or two
reason=$(qb_skip_reason)
[ -z "$reason" ] || skip_all "$reason"
[ -x /bin/busybox ] || skip_all "no /bin/busybox (Debian's busybox-static)"
[[ "$(file -L "$GUESTD")" == *"statically linked"* ]] || skip_all "needs the static guestd"
QB_LOGDIR=$TOP/build/e2e
QB_ACCEL=tcg

mkdir -p "$T/extra/bin"
cp /bin/busybox "$T/extra/bin/busybox"
for app in sh sleep awk; do ln -s busybox "$T/extra/bin/$app"; done
install -m 0755 "$TOP/tests/e2e/guest/idle.sh" "$T/extra/bin/idle.sh"
printf 'serial=org.guestd.0\nexec=/bin/sh /bin/idle.sh %s\n' "$IDLE_S" >"$T/guestd.conf"
"$TOP/initramfs/mkinitramfs.sh" --init "$GUESTD" --guestctl "$GUESTCTL" --conf "$T/guestd.conf" \
	--kernel-dir "$TOP/build/kernel" \
	--modules virtio_pci,virtio_console,vsock,vmw_vsock_virtio_transport,vsock_loopback \
	--extra "$T/extra" --out "$T/idle.cpio.gz" >"$T/mkinitramfs.log" 2>&1
check "initramfs built" test -s "$T/idle.cpio.gz"
trap 'qb_stop; cleanup' EXIT

gc() { "$GUESTCTL" --unix "$QB_SOCK" "$@"; }
qb_start --initrd "$T/idle.cpio.gz" --name idle || qb_fail "QEMU did not start"
if ! gc --timeout 30000 wait-ready >/dev/null; then
	qb_fail "no answer over virtio-serial"
	not_ok "guestd answers over virtio-serial"
	done_testing; exit 1
fi
ok "guestd answers over virtio-serial"
check "the host says go, then hangs up" quiet gc --timeout 10000 kv set --pool host idle.go 1
if ! qb_wait_line "WL: idle: " $((IDLE_S + 60)); then
	qb_fail "the workload never reported"
	not_ok "the workload counted PID 1's wake-ups"
else
	n=$(sed -n 's/.*WL: idle: PID 1 woke \([0-9]*\) times.*/\1/p' "$QB_LOG" | head -n1)
	echo "# guestd as PID 1, idle for $IDLE_S s: $n wake-ups (bound $IDLE_WAKE_MAX)"
	check "an idle guestd does not wake up (${n:-?} in $IDLE_S s)" test "${n:-999}" -le "$IDLE_WAKE_MAX"
fi
# One try only: a hung port that waited for a timer would miss it less
# often than this, but SIGIO must bring it back at once.
t0=$(_qb_us)
check "the host's first ping after the idle time is answered" quiet gc --timeout 5000 ping
echo "# first ping after the idle time: $(_qb_since "$t0") s"
check "the host tells the workload it is done" quiet gc --timeout 10000 kv set --pool host idle.done 1
qb_wait_exit 60
check_eq "the workload ended and the guest powered off (on-exit)" poweroff "$(qb_exit_kind)"
[ "$_failed" = 0 ] || QB_KEEP=1
done_testing
