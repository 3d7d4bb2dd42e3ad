#!/bin/bash
# Connection slots (issue 20) over real AF_VSOCK inside a QEMU (TCG) guest:
# Debian's cloud kernel, guestd as /init, vsock_loopback for CID 1. Guest
# processes are the flood: every one of them reaches guestd as CID 1 (the
# loopback CID; allow-cid=1 lets it in), a guest-class peer, so together
# they hold at most GD_SLOTS_PER_PEER slots. The host (outside QEMU, which
# has no vhost-vsock here) pings over the virtio-serial port, whose slot is
# kept for it.
#  1. GD_SLOTS_PER_PEER + 1 stalled vsock clients (one byte of a frame
#     each): the cap held, the next refused with BUSY and the documented
#     message; guestctl over vsock refused too (same peer), root in the
#     guest answered on the local socket; the host's pings all answered.
#  2. FLOOD_S (10) s of vsock clients reconnecting in a tight loop (several
#     processes, a partial frame or nothing): every host ping over serial
#     and every guest root ping on the local socket answered; INFO's
#     counters for CID 1 against what the flooders made. Prints the figures.
# The flooding clients are tests/e2e/vsock_flood.c, built with musl-gcc.
# shellcheck source=tests/lib/lib.sh
source "$(dirname "$0")/../lib/lib.sh"
# shellcheck source=tests/e2e/qemu-boot.sh
source "$(dirname "$0")/qemu-boot.sh"

KDIR=$TOP/build/kernel
[ "${MODE:-release}" = release ] || skip_all "QEMU e2e runs in the release pass only (static binaries)"
[ "$(id -u)" = 0 ] || skip_all "needs root to build the initramfs"
[ -f "$KDIR/vmlinuz" ] || skip_all "no kernel in build/kernel (make kernel)"
[ -x /bin/busybox ] || skip_all "no /bin/busybox (Debian's busybox-static)"
command -v qemu-system-x86_64 >/dev/null || skip_all "no qemu-system-x86_64"
command -v musl-gcc >/dev/null || skip_all "no musl-gcc for the flooding client"
QB_KERNEL=$KDIR/vmlinuz
QB_LOGDIR=$TOP/build/e2e
QB_ACCEL=tcg
MODULES=virtio_pci,virtio_console,vsock,vmw_vsock_virtio_transport,vsock_loopback
PER_PEER=$(grep -oP '#define GD_SLOTS_PER_PEER \K[0-9]+' "$TOP/libmini/slots.h")
[ -n "$PER_PEER" ] || { not_ok "GD_SLOTS_PER_PEER read from libmini/slots.h"; done_testing; exit 1; }
FLOOD_S=${FLOOD_S:-10}
PROCS=3 # flooding processes; the guest has one vCPU

# The image: guestd, guestctl, busybox, the flooding client, the workload.
mkdir -p "$T/extra/bin"
cp /bin/busybox "$T/extra/bin/busybox"
for app in sh sleep cat grep date kill seq; do ln -s busybox "$T/extra/bin/$app"; done
musl-gcc -static -Os -Wall -Wextra -Werror -o "$T/extra/bin/vsock_flood" \
	"$TOP/tests/e2e/vsock_flood.c" 2>"$T/cc.log" ||
	{ not_ok "vsock_flood builds" "$(cat "$T/cc.log")"; done_testing; exit 1; }
cat >"$T/extra/bin/slots.sh" <<EOF
#!/bin/sh
# The workload: each result is one "WL:" console line the host reads.
PATH=/bin:/sbin
N=$((PER_PEER + 1)) FLOOD_S=$FLOOD_S PROCS=$PROCS
EOF
cat >>"$T/extra/bin/slots.sh" <<'EOF'
say() { echo "WL: $*"; }
# 1. One past the cap, stalled: the helper says how many guestd kept.
vsock_flood stall 1 2761 $N >/tmp/stall.out &
st=$!
for i in $(seq 100); do grep -q opened /tmp/stall.out && break; sleep 0.1; done
cat /tmp/stall.out
guestctl --vsock 1 --timeout 5000 ping >/tmp/vping.out 2>&1
say "vsock ping at the cap: exit $? $(cat /tmp/vping.out)"
if guestctl --unix /run/guestd.sock --timeout 5000 ping >/dev/null 2>&1; then
	say "local root ping ok"
else
	say "local root ping FAILED"
fi
say "stalled ready"
guestd kv wait --timeout 120000 slots.flood >/dev/null
kill $st
# 2. The reconnect flood, while root pings on the local socket.
say "flood start"
for i in $(seq $PROCS); do vsock_flood loop 1 2761 $FLOOD_S & done
end=$(($(date +%s) + FLOOD_S)) tried=0 ok=0
while [ "$(date +%s)" -lt $end ]; do
	tried=$((tried + 1))
	guestctl --unix /run/guestd.sock --timeout 5000 ping >/dev/null 2>&1 &&
		ok=$((ok + 1))
	sleep 0.2
done
wait
say "local root pings: tried $tried answered $ok"
say "flood done"
exec sleep 600
EOF
chmod 0755 "$T/extra/bin/slots.sh"
cat >"$T/guestd.conf" <<'CONF'
serial=org.guestd.0
allow-cid=1
frame-deadline-ms=60000
exec=/bin/sh /bin/slots.sh
CONF
"$TOP/initramfs/mkinitramfs.sh" --init "$GUESTD" --guestctl "$GUESTCTL" \
	--conf "$T/guestd.conf" --kernel-dir "$KDIR" --modules "$MODULES" \
	--extra "$T/extra" --out "$T/img.cpio.gz" >"$T/mk.log" 2>&1
check "initramfs built" test -s "$T/img.cpio.gz"
trap 'qb_stop; cleanup' EXIT

gc() { "$GUESTCTL" --unix "$QB_SOCK" "$@"; }
wl() { grep -aoE "WL: $1.*" "$QB_LOG" | head -n1 | tr -d '\r'; }
# cid1 FIELD: accepted, refused or evicted of peer CID 1 in INFO (over serial).
cid1() {
	gc --timeout 10000 --json info |
		grep -oE "\{\"kind\":\"cid\",\"id\":1,[^}]*\}" |
		grep -oE "\"$1\":[0-9]+" | cut -d: -f2
}
# pings UNTIL_RE MAX_S [MIN_N]: host pings over serial, one after another,
# until the console shows UNTIL_RE (or, UNTIL_RE empty, once MIN_N were
# tried; else at least MIN_N) or MAX_S pass; sets TRIED, ANSWERED, WORST_MS.
pings() {
	local until=$1 max=$2 min=${3:-0} t0 t end
	TRIED=0 ANSWERED=0 WORST_MS=0
	end=$(($(_qb_us) + max * 1000000))
	while [ "$(_qb_us)" -lt "$end" ]; do
		if [ "$TRIED" -ge "$min" ] &&
			{ [ -z "$until" ] || grep -qaE "$until" "$QB_LOG"; }; then
			break
		fi
		t0=$(_qb_us)
		TRIED=$((TRIED + 1))
		gc --timeout 5000 ping >/dev/null 2>>"$T/ping.err" && ANSWERED=$((ANSWERED + 1))
		t=$((($(_qb_us) - t0) / 1000))
		[ "$t" -le "$WORST_MS" ] || WORST_MS=$t
	done
}

qb_start --initrd "$T/img.cpio.gz" --name slots-vsock || qb_fail "QEMU did not start"
gc --timeout 30000 wait-ready >/dev/null
rc=$?
check_eq "guestd answers over virtio-serial within 30 s of boot ($(_qb_since "$QB_T0") s)" 0 $rc
[ $rc = 0 ] || { qb_fail "no answer over virtio-serial"; done_testing; exit 1; }
pings "" 60 5
echo "# just after boot: $TRIED host pings over serial, $ANSWERED answered, worst $WORST_MS ms"
base_ms=$WORST_MS

# 1. stalled
qb_wait_line "WL: stalled ready" 60 ||
	{ qb_fail "the workload did not get its clients stalled"; done_testing; exit 1; }
check_match "guest: $((PER_PEER + 1)) stalled vsock clients of CID 1, $PER_PEER held, 1 refused" \
	"opened $((PER_PEER + 1)) held $PER_PEER busy 1 other 0 failed 0" "$(wl "stall opened")"
check_eq "the refusal says why" \
	"WL: stall busy: too many connections from CID 1 (at most $PER_PEER per peer)" \
	"$(wl "stall busy")"
# guestctl's HELLO can meet the close that follows the notice: it then says
# "send: Broken pipe" (exit 5) instead of the notice it had been sent.
vping=$(wl "vsock ping at the cap")
echo "# ${vping#WL: }"
check_match "guestctl over vsock from the guest is refused too (CID 1 is one peer)" \
	"exit [15] .*(busy: too many connections from CID 1|Broken pipe)" "$vping"
check_eq "root in the guest is answered on the local socket" "WL: local root ping ok" \
	"$(wl "local root ping")"
pings "" 60 10
echo "# CID 1 at its cap with stalled clients: $TRIED host pings over serial, $ANSWERED answered, worst $WORST_MS ms"
check_eq "every host ping over serial answered ($ANSWERED of $TRIED, worst $WORST_MS ms)" \
	"$TRIED" "$ANSWERED"
acc0=$(cid1 accepted) ref0=$(cid1 refused) ev0=$(cid1 evicted)
echo "# INFO, peer CID 1: $acc0 accepted, $ref0 refused, $ev0 evicted"
check "INFO counts CID 1's connections: at least $PER_PEER accepted, 2 refused" \
	test "${acc0:-0}" -ge "$PER_PEER" -a "${ref0:-0}" -ge 2

# 2. the reconnect flood
check "host tells the workload to flood" gc --timeout 10000 kv set --pool host slots.flood 1
qb_wait_line "WL: flood start" 30 || { qb_fail "no flood"; done_testing; exit 1; }
t0=$(_qb_us)
pings "WL: flood done" $((FLOOD_S + 40)) 1
flood_s=$(_qb_since "$t0")
made=0
while read -r n; do made=$((made + n)); done < <(grep -aoE "WL: loop pid [0-9]+ made [0-9]+" "$QB_LOG" | awk '{print $6}')
failed=0
while read -r n; do failed=$((failed + n)); done < <(grep -aoE "WL: loop pid [0-9]+ made [0-9]+ failed [0-9]+" "$QB_LOG" | awk '{print $8}')
echo "# flood: $PROCS guest processes made $made vsock connections ($failed connects failed) in $FLOOD_S s"
echo "# host pings over serial during the flood ($flood_s s): $TRIED tried, $ANSWERED answered, worst $WORST_MS ms (just after boot: $base_ms ms)"
check "the flood ran its $FLOOD_S s" qb_wait_line "WL: flood done" 1
check "the flooders connected ($made times)" test "$made" -gt 0
check_eq "every host ping over serial answered during the flood ($ANSWERED of $TRIED, worst $WORST_MS ms)" \
	"$TRIED" "$ANSWERED"
check "and several were tried ($TRIED)" test "$TRIED" -ge 3
local_pings=$(wl "local root pings")
echo "# guest ${local_pings#WL: }"
read -r l_tried l_ok < <(echo "$local_pings" | awk '{print $6, $8}')
check "every guest root ping on the local socket answered during the flood ($l_ok of $l_tried)" \
	test -n "$l_tried" -a "$l_tried" = "$l_ok" -a "${l_tried:-0}" -gt 0
acc1=$(cid1 accepted) ref1=$(cid1 refused) ev1=$(cid1 evicted)
seen=$(((acc1 - acc0) + (ref1 - ref0)))
echo "# INFO, peer CID 1 after the flood: +$((acc1 - acc0)) accepted, +$((ref1 - ref0)) refused, +$((ev1 - ev0)) evicted ($seen of the $made connections)"
check "INFO: the flooders were refused at their cap" test $((ref1 - ref0)) -gt 0
check "INFO: accepted + refused account for what the flooders made ($seen of $made)" \
	test "$seen" -le "$made" -a "$seen" -ge $((made * 9 / 10))
[ -s "$T/ping.err" ] && sed 's/^/# ping: /' "$T/ping.err" | sort | uniq -c | head -5
[ "$_failed" = 0 ] || QB_KEEP=1 # keep the console log of a failed run
done_testing
