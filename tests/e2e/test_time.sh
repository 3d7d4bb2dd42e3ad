#!/bin/bash
# Time sync in a QEMU guest (TCG) whose clock starts an hour behind
# (-rtc base=), driven from the host over virtio-serial: the offset is
# measured, stepped away (residual < 5 ms), the RTC written; then
# tests/e2e/time_sync.py measures the guest clock's drift (a TCG guest's
# is thousands of ppm) and, relative to it: auto mode slews at 120 ms and
# steps at 140 ms; the slew runs at 500 ppm; --watch resyncs every
# interval. A clock jump (the host paused) is reported as a skip with its
# reason. Prints the accuracy and the drift measured.
#
# Needs root (mkinitramfs makes device nodes), qemu-system-x86_64, Debian's
# cloud kernel (fetched into build/kernel when missing) and a static guestd
# with the serial transport. Only the guest's clock is ever set.
source "$(dirname "$0")/../lib/lib.sh"
source "$TOP/tests/e2e/qemu-boot.sh"
PY="python3 -B"
export PYTHONPATH=$TOP/tests/lib
MS=1000000

why=$(qb_skip_reason)
[ -z "$why" ] || skip_all "$why"
"$GUESTD" --help | grep -q -- '--serial ' || skip_all "this guestd has no serial transport"

# The image: guestd as /init when it loads modules itself, else behind the
# stand-in init (tests/e2e/stand_in_init.c).
mkdir -p "$T/extra"
printf 'serial=org.guestd.0\n' >"$T/guestd.conf"
init=$GUESTD
if ! "$GUESTD" --help | grep -q -- '--modules '; then
	musl-gcc -static -Os -o "$T/stand_in_init" "$TOP/tests/e2e/stand_in_init.c" ||
		skip_all "cannot build the stand-in init"
	cp "$GUESTD" "$T/extra/guestd"
	init=$T/stand_in_init
	echo "# guestd does no PID 1 setup yet: booting it behind the stand-in init"
fi
"$TOP/initramfs/mkinitramfs.sh" --init "$init" --guestctl "$GUESTCTL" --conf "$T/guestd.conf" \
	--kernel-dir "$TOP/build/kernel" --modules virtio_pci,virtio_console \
	--extra "$T/extra" --out "$T/img.cpio.gz" >"$T/mkinitramfs.log" 2>&1
check "initramfs built" test -s "$T/img.cpio.gz"

QB_ACCEL=tcg
trap 'qb_stop; cleanup' EXIT
base=$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%S)
# GD_TEST_SKEW_PPM (|PPM| >= 15000) runs the guest clock that far off, as
# a badly calibrated TSC does: every check below must hold all the same.
skew=''
if [ -n "${GD_TEST_SKEW_PPM:-}" ]; then
	skew=$(qb_skew_append "$GD_TEST_SKEW_PPM") || skip_all "cannot read the TSC frequency from a probe boot"
	echo "# guest clock skewed $GD_TEST_SKEW_PPM ppm: $skew"
fi
# GD_TEST_STEP_MS moves the guest clock that far before the slew case, as
# a step of the host clock would: the case must be skipped with that reason.
# GD_TEST_PAUSE_S stops the VM that long during the slew measurement: it
# must be reported as a jump and measured again, not as a wrong rate.
qb_start --initrd "$T/img.cpio.gz" --name time --rtc-base "$base" --append " $skew" --monitor

# gc ARGS...: guestctl over the serial socket. QEMU's chardev serves one
# client at a time and the agent reopens the port after each hang-up, so a
# call that times out right after the previous one is retried once.
gc() {
	local out rc
	out=$("$GUESTCTL" --unix "$QB_SOCK" "$@"); rc=$?
	if [ $rc = 4 ]; then
		sleep 0.5
		out=$("$GUESTCTL" --unix "$QB_SOCK" "$@"); rc=$?
	fi
	printf '%s\n' "$out"
	return $rc
}
# field JSON NAME: one member of a JSON object.
field() { $PY -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }
# ms NS: nanoseconds as milliseconds with 3 decimals.
ms() { awk -v n="$1" 'BEGIN { printf "%.3f", n / 1e6 }'; }
# within NS LIMIT_NS: |NS| < LIMIT_NS
within() { local v=${1#-}; [ "$v" -lt "$2" ]; }

if ! qb_wait_agent "$GUESTCTL"; then
	qb_fail "the agent never answered over virtio-serial"
	not_ok "agent answers over virtio-serial"
	done_testing; exit 1
fi
ok "agent answers over virtio-serial after $(_qb_since "$QB_T0") s (accel $QB_ACCEL)"

out=$(gc --json time)
off=$(field "$out" offset_ns)
check "guest starts an hour behind (offset $(ms "$off") ms)" \
	test "$off" -gt $((-3610 * 1000 * MS)) -a "$off" -lt $((-3590 * 1000 * MS))

# rtc_is SECONDS: the guest's RTC (TIME_GET with TIME_RTC=1) is SECONDS
# off the host clock, give or take what whole seconds allow: QEMU's -rtc
# base= and RTC reads truncate to the second, a write rounds to it.
rtc_is() {
	$PY - "$QB_SOCK" "$1" <<'PYEOF'
import sys, struct, time
from gdproto import *
c = Conn(sys.argv[1], timeout=10)
r = c.call(OP["time_get"], tlv(48, b"\x01"))
off = (struct.unpack("<Q", r["tlvs"][50])[0] - time.time_ns()) / 1e9
print("# RTC minus host: %.3f s" % off)
sys.exit(0 if abs(off - int(sys.argv[2])) < 2.5 else 1)
PYEOF
}
sleep 0.3
check "guest RTC starts an hour behind" rtc_is -3600

sleep 0.3
out=$(gc --json time sync --rtc); rc=$?
check_eq "time sync exits 0" 0 $rc
check_eq "an hour is stepped" step "$(field "$out" action)"
check_eq "the RTC was written" written "$(field "$out" rtc)"
corr=$(field "$out" correction_ns)
check "correction is the hour ($(ms "$corr") ms)" \
	test "$corr" -gt $((3590 * 1000 * MS)) -a "$corr" -lt $((3610 * 1000 * MS))
res=$(field "$out" residual_ns)
check "time sync's own residual < 5 ms ($(ms "$res") ms)" within "$res" $((5 * MS))

hour=$out
sleep 0.3
check "guest RTC now matches the host (to the second)" rtc_is 0

# The rest measures the guest clock's drift and asserts relative to it.
QB_SOCK=$QB_SOCK QB_MON=$QB_MON $PY "$TOP/tests/e2e/time_sync.py" "$hour" >"$T/py.out" 2>&1
py_rc=$?
tap_include "$T/py.out"
[ $py_rc = 0 ] || not_ok "time_sync.py ran to its end" "exit $py_rc"

grep -a 'guestd:' "$QB_LOG" | sed 's/^/# guest: /' | tail -n 12
done_testing
