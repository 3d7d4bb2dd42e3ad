#!/bin/bash
# The frequency discipline in a QEMU guest (TCG) whose clock drifts by
# GD_TEST_SKEW_PPM (default +15000): the kernel is told a TSC frequency
# that far off (qb_skew_append), as a badly calibrated TSC would be.
# tests/e2e/time_discipline.py measures the drift, runs `guestctl time sync
# --watch` for 60 s and measures the residual 60 s after its last sync
# (< 1 ms), then pauses the VM (the test and guestd call it a jump, not a
# rate) and checks the hold and reset modes.
#
# Needs what test_time.sh needs, and socat for the QEMU monitor.
source "$(dirname "$0")/../lib/lib.sh"
source "$TOP/tests/e2e/qemu-boot.sh"
export PYTHONPATH=$TOP/tests/lib
SKEW=${GD_TEST_SKEW_PPM:-15000}

why=$(qb_skip_reason)
[ -z "$why" ] || skip_all "$why"
"$GUESTD" --help | grep -q -- '--time-discipline ' || skip_all "this guestd has no frequency discipline"
command -v socat >/dev/null || skip_all "no socat for the QEMU monitor"

printf 'serial=org.guestd.0\n' >"$T/guestd.conf"
"$TOP/initramfs/mkinitramfs.sh" --init "$GUESTD" --guestctl "$GUESTCTL" --conf "$T/guestd.conf" \
	--kernel-dir "$TOP/build/kernel" --modules virtio_pci,virtio_console \
	--out "$T/img.cpio.gz" >"$T/mkinitramfs.log" 2>&1
check "initramfs built" test -s "$T/img.cpio.gz"

append=$(qb_skew_append "$SKEW") || skip_all "cannot read the TSC frequency from a probe boot"
QB_ACCEL=tcg
trap 'qb_stop; cleanup' EXIT
qb_start --initrd "$T/img.cpio.gz" --name time-discipline --append " $append" --monitor
if ! qb_wait_agent "$GUESTCTL"; then
	qb_fail "the agent never answered over virtio-serial"
	not_ok "agent answers over virtio-serial"
	done_testing; exit 1
fi
ok "agent answers over virtio-serial ($append)"
grep -aE 'tsc: Detected .*(processor|TSC)|clocksource: Switched' "$QB_LOG" | sed 's/^/# guest: /'
check "the guest clock runs on the mis-told TSC" \
	grep -qaE 'Switched to clocksource tsc' "$QB_LOG"

QB_SOCK=$QB_SOCK QB_MON=$QB_MON python3 -B "$TOP/tests/e2e/time_discipline.py" >"$T/py.out" 2>&1
py_rc=$?
tap_include "$T/py.out"
[ $py_rc = 0 ] || not_ok "time_discipline.py ran to its end" "exit $py_rc"
grep -a 'guestd:.*\(frequency\|jump\)' "$QB_LOG" | sed 's/^/# guest: /' | tail -n 12
done_testing
