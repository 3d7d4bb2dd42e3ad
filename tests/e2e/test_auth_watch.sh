#!/bin/bash
# An authenticated `guestctl --key-file K time sync --watch` over
# virtio-serial survives clock jumps made inside the guest: a workload
# sets the guest clock 30 s ahead (busybox date -s) every 10 s; guestd's
# clock-jump event reaches the watch sealed with the session's MAC (guestctl
# rejects an event without a valid one and ends the watch), the watch
# resyncs for it, and keeps running. Without the key the agent refuses the
# watch. QEMU TCG; the guest clock is the only one set.
source "$(dirname "$0")/../lib/lib.sh"
source "$(dirname "$0")/qemu-boot.sh"
PY="$PY3 -B"

KDIR=$TOP/build/kernel
[ "$MODE" = release ] || skip_all "QEMU e2e runs in the release pass only (static binaries)"
why=$(qb_skip_reason)
[ -z "$why" ] || skip_all "$why"
[ -x /bin/busybox ] || skip_all "no /bin/busybox (Debian's busybox-static)"
QB_LOGDIR=$TOP/build/e2e
QB_ACCEL=tcg
JUMP_S=30 PERIOD_S=10

mkdir -p "$T/extra/bin" "$T/extra/etc"
cp /bin/busybox "$T/extra/bin/busybox"
for app in sh sleep date; do ln -s busybox "$T/extra/bin/$app"; done
cat >"$T/extra/bin/jumper.sh" <<EOF
# Set the clock $JUMP_S s ahead every $PERIOD_S s, as an admin's date -s would.
while :; do
	sleep $PERIOD_S
	date -s @\$((\$(date +%s) + $JUMP_S)) >/dev/null && echo "WL: clock set $JUMP_S s ahead"
done
EOF
"$GUESTCTL" keygen "$T/extra/etc/guestd.key" >/dev/null
cat >"$T/guestd.conf" <<'CONF'
serial=org.guestd.0
key-file=/etc/guestd.key
exec=/bin/sh /bin/jumper.sh
on-exit=stay
CONF
"$TOP/initramfs/mkinitramfs.sh" --init "$GUESTD" --guestctl "$GUESTCTL" \
	--conf "$T/guestd.conf" --kernel-dir "$KDIR" --modules virtio_pci,virtio_console \
	--extra "$T/extra" --out "$T/img.cpio.gz" >"$T/mk.log" 2>&1
check "initramfs built" test -s "$T/img.cpio.gz"
trap 'qb_stop; cleanup' EXIT

K=$T/extra/etc/guestd.key
qb_start --initrd "$T/img.cpio.gz" --name auth-watch || qb_fail "QEMU did not start"
"$GUESTCTL" --key-file "$K" --unix "$QB_SOCK" --timeout 60000 wait-ready >/dev/null
check_eq "guestd with a key answers over virtio-serial" 0 $?
# No virtio-rng here: the pool is readied by guestd's getrandom child.
echo "# $(grep -a -m1 'random pool not ready' "$QB_LOG" | tr -d '\r')"
echo "# kernel: $(grep -a -m1 'crng init done' "$QB_LOG" | tr -d '\r'); ready: $(qb_kernel_time 'ready as PID 1') s"
out=$("$GUESTCTL" --unix "$QB_SOCK" --timeout 10000 time sync 2>&1); rc=$?
check_eq "without the key, time sync is refused: exit 1" 1 $rc
check_match "  with auth-required" "auth-required" "$out"

"$GUESTCTL" --key-file "$K" --unix "$QB_SOCK" --timeout 30000 --json \
	time sync --watch --interval 3600 >"$T/watch.out" 2>"$T/watch.err" &
wpid=$!
syncs() { grep -c "\"reason\":\"$1\"" "$T/watch.out"; }
wait_syncs() { # REASON N TIMEOUT_S
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		[ "$(syncs "$1")" -ge "$2" ] && return 0
		kill -0 $wpid 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}
check "authenticated watch: the first sync (reason start)" wait_syncs start 1 30
check "a clock set inside the guest: the watch resyncs for the event" \
	wait_syncs clock-jump 1 $((PERIOD_S * 3))
check "a second one: the watch is still there and resyncs again" \
	wait_syncs clock-jump 2 $((PERIOD_S * 3))
check "the watch is still running after both" kill -0 $wpid
kill -TERM $wpid 2>/dev/null; wait $wpid 2>/dev/null
check_eq "guestctl saw no unsealed or bad MAC frame" "" \
	"$(grep -iE 'mac|unsealed|auth' "$T/watch.err")"
check "each jump resync stepped the clock back and ended within 5 ms" \
	$PY - "$T/watch.out" "$JUMP_S" <<'PYEOF'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
jumps = [d for d in lines if d.get("reason") == "clock-jump"]
assert len(jumps) >= 2, lines
for d in jumps:
    # The guest ran JUMP_S ahead (less whatever the TCG clock drifted).
    assert d["offset_before_ns"] > (int(sys.argv[2]) - 2) * 10**9, d
    assert abs(d["residual_ns"]) < 5_000_000, d
    print("# jump resync: guest was %.3f s ahead, residual %.3f ms" %
          (d["offset_before_ns"] / 1e9, d["residual_ns"] / 1e6))
PYEOF
check_match "guestd logged the jumps it sent" "guestd: clock jump" "$(grep -a 'clock jump' "$QB_LOG")"
"$GUESTCTL" --key-file "$K" --unix "$QB_SOCK" --timeout 10000 shutdown >/dev/null
qb_wait_exit 60
check_eq "the guest powers off when asked with the key" poweroff "$(qb_exit_kind)"
[ "$_failed" = 0 ] || QB_KEEP=1
done_testing
