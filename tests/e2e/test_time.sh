#!/bin/bash
# Time sync in a QEMU guest (TCG) whose clock starts an hour behind
# (-rtc base=), driven from the host over virtio-serial: the offset is
# measured, stepped away (residual < 5 ms), the RTC written; auto mode
# slews at 120 ms and steps at 140 ms; the slew runs at 500 ppm; --watch
# resyncs every interval. Prints the accuracy measured.
#
# Needs root (mkinitramfs makes device nodes), qemu-system-x86_64, Debian's
# cloud kernel (fetched into build/kernel when missing) and a static guestd
# with the serial transport. Only the guest's clock is ever set.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/e2e/qemu-boot.sh"
PY="python3 -B"
export PYTHONPATH=$TOP/tests
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
qb_start --initrd "$T/img.cpio.gz" --name time --rtc-base "$base"

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

sleep 0.3
out=$(gc --json time --samples 16)
res=$(field "$out" offset_ns) rtt=$(field "$out" delay_ns)
check "residual offset measured again < 5 ms ($(ms "$res") ms, round trip $(ms "$rtt") ms)" \
	within "$res" $((5 * MS))
echo "# TCG, virtio-serial: residual after sync $(ms "$res") ms, round trip $(ms "$rtt") ms"
sleep 0.3
check "guest RTC now matches the host (to the second)" rtc_is 0

# drift: the offset 5 s later, in ppm
t0=$(date +%s%N)
sleep 4
out=$(gc --json time --samples 16)
res2=$(field "$out" offset_ns)
drift=$(awk -v a="$res" -v b="$res2" -v t="$(( $(date +%s%N) - t0 ))" 'BEGIN { printf "%.1f", (b - a) / t * 1e6 }')
echo "# TCG guest clock drift after the step: $drift ppm (offset $(ms "$res") -> $(ms "$res2") ms in 4 s)"

# push_guest MS: step the guest clock MS milliseconds ahead with a raw
# TIME_SET (mode step) relative to its own receive stamp.
push_guest() {
	$PY - "$QB_SOCK" "$1" <<'PYEOF'
import sys, struct
from gdproto import *
c = Conn(sys.argv[1])
r = c.call(OP["time_get"])
t2 = struct.unpack("<Q", r["tlvs"][43])[0]
ms = int(sys.argv[2])
r = c.call(OP["time_set"], tlv(45, struct.pack("<Q", t2 + ms * 1000000)) +
           tlv(46, struct.pack("<Q", t2)) + tlv(47, b"\x01"))
assert r["status"] == 0 and r["tlvs"][51] == b"\x01", r
PYEOF
}

sleep 0.3
check "guest pushed 120 ms ahead" push_guest 120
sleep 0.3
out=$(gc --json time sync)
check_eq "auto mode slews 120 ms (at or below 128 ms)" slew "$(field "$out" action)"
corr=$(field "$out" correction_ns)
check "slew correction about -120 ms ($(ms "$corr") ms)" within $((corr + 120 * MS)) $((5 * MS))
left=$(field "$out" slew_left_ns)
check "the kernel has most of the slew left ($(ms "$left") ms)" test "$left" -lt $((-100 * MS))
# The kernel starts the slew at its next second; measure from 1.5 s on,
# over 4 s of guest time.
sleep 1.5
out=$(gc --json time --samples 16)
a=$(field "$out" offset_ns) ta=$(field "$out" guest_realtime_ns)
sleep 4
out=$(gc --json time --samples 16)
b=$(field "$out" offset_ns) tb=$(field "$out" guest_realtime_ns)
rate=$(awk -v a="$a" -v b="$b" -v t="$((tb - ta))" 'BEGIN { printf "%d", (a - b) / t * 1e6 }')
check "the slew runs at 500 ppm, +-100 ($rate ppm)" test "$rate" -gt 400 -a "$rate" -lt 600
echo "# slew: offset $(ms "$a") -> $(ms "$b") ms in $(ms $((tb - ta))) ms: $rate ppm"
sleep 0.3
out=$(gc --json time sync --mode step)
check_eq "--mode step steps even a small offset" step "$(field "$out" action)"
check "the step also cancelled the slew" test "$(field "$out" slew_left_ns)" = 0

sleep 0.3
check "guest pushed 140 ms ahead" push_guest 140
sleep 0.3
out=$(gc --json time sync)
check_eq "auto mode steps 140 ms (above 128 ms)" step "$(field "$out" action)"
corr=$(field "$out" correction_ns)
check "step correction about -140 ms ($(ms "$corr") ms)" within $((corr + 140 * MS)) $((5 * MS))
res=$(field "$out" residual_ns)
check "residual after that step < 5 ms ($(ms "$res") ms)" within "$res" $((5 * MS))

sleep 0.3
"$GUESTCTL" --unix "$QB_SOCK" --json time sync --watch --interval 1 >"$T/watch.out" 2>&1 &
wpid=$!
sleep 3.6
kill -TERM $wpid 2>/dev/null; wait $wpid 2>/dev/null # (SIGINT is ignored in background jobs)
check "--watch: a sync at start, then one per interval, each residual < 5 ms" $PY - "$T/watch.out" <<'PYEOF'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
syncs = [d for d in lines if d.get("event") == "sync"]
assert len(syncs) >= 3, lines
assert syncs[0]["reason"] == "start" and syncs[1]["reason"] == "interval", syncs
assert [d["sync_number"] for d in syncs] == list(range(1, len(syncs) + 1)), syncs
for d in syncs:
    assert abs(d["residual_ns"]) < 5_000_000, d
PYEOF

grep -a 'guestd:' "$QB_LOG" | sed 's/^/# guest: /' | tail -n 12
done_testing
