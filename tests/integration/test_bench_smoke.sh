#!/bin/bash
# `make bench` cannot rot: a smoke run (few iterations) must print the whole
# table, every row present, every measured cell a number. No timing bounds:
# the bench reports ratios, it never passes or fails on speed.
source "$(dirname "$0")/../lib/lib.sh"
cd "$TOP"
PL=$TOP/build/bench/pingload

if ! sh tests/bench/deps.sh >"$T/deps.log" 2>&1; then
	not_ok "bench packages (qemu-guest-agent tini valgrind strace) installed" "$(cat "$T/deps.log")"
	done_testing; exit
fi
ok "bench packages installed"
check "bench tools build" make -s --no-print-directory bench-tools

# pingload checks every answer: an error status must stop it (exit 1).
S=$T/g.sock
start_agent "$S" || not_ok "agent starts"
check "pingload: 50 pings with a TLV payload" "$PL" rtt -n 50 -t 1000:hello "g=gd:$S"
"$PL" rtt -n 1 -o 999 "g=gd:$S" >/dev/null 2>"$T/pl.err"
check_eq "pingload: an unknown-op answer is an error (exit 1)" 1 $?
check_match "pingload: says why" "answer status unknown-op" "$(cat "$T/pl.err")"

nocg=0
[ "$MODE" = asan ] && nocg=1 # valgrind cannot run a sanitizer build
# Bounded: Debian's qemu-ga has been seen to hang in a futex wait; a stuck
# peer must fail this test, not stall make test.
BENCH_SMOKE=1 BENCH_NO_CALLGRIND=$nocg timeout -k 5 180 bash tests/bench/bench.sh >"$T/table" 2>"$T/bench.err"
check_eq "bench-smoke exits 0" 0 $?
[ -s "$T/bench.err" ] && cat "$T/bench.err"
cat "$T/table"

# ROW-LABEL-PREFIX SPEC: SPEC gives the cells guestd, limit, peer,
# guestd/limit, guestd/peer: N a number, - a dash, S "skipped (...)".
# Rows marked "na-ok" may instead read "n/a (reason)" with dashes.
rows=(
	"ping round trip, 1 conn, 200 requests: median µs|NNNNN"
	"ping round trip, 1 conn, 200 requests: p99 µs|NNNNN"
	"ping throughput, 64 in flight on 1 conn, req/s|NNNNN"
	"ping throughput, 16 conns at once, req/s|NNNNN"
	"KV set throughput, 64 in flight on 1 conn, req/s (peer: no KV)|NN-N-|na-ok"
	"KV set throughput, 16 conns at once, req/s (peer: no KV)|NN-N-|na-ok"
	"KV get throughput, 64 in flight on 1 conn, req/s (peer: no KV)|NN-N-|na-ok"
	"KV get throughput, 16 conns at once, req/s (peer: no KV)|NN-N-|na-ok"
	"start to serving (spawn to first ping answered), median of 3, ms|NNNNN"
	"size on disk, stripped, KiB (peer: binary + its shared libraries)|NNNNN"
	"size on disk, stripped, KiB, guestd vs peer tini-static|N-N-N"
	"size on disk, stripped, KiB: guestctl (host tool)|N----"
	"size on disk, stripped, KiB: guestd built with make GD_QGA=0 GD_KV_CLI=0|NNNNN|na-ok"
	"size by area from the link map, KiB: wire|N----|na-ok"
	"size by area from the link map, KiB: QGA|N----|na-ok"
	"size by area from the link map, KiB: KV|N----|na-ok"
	"size by area from the link map, KiB: time|N----|na-ok"
	"size by area from the link map, KiB: init|N----|na-ok"
	"size by area from the link map, KiB: auth|N----|na-ok"
	"size by area from the link map, KiB: base|N----|na-ok"
	"size by area from the link map, KiB: libc|N----|na-ok"
	"VmRSS after the ping runs, KiB|NNNNN"
	"VmHWM after the ping runs, KiB|NNNNN"
	"RssAnon after the ping runs, KiB|NNNNN"
	"RssFile after the ping runs, KiB|NNNNN"
	"bss in the binary, KiB|NN---"
	"bss touched after the ping runs, KiB|NN-N-"
	"instructions per ping, user space (callgrind, 20 pings minus 0)|NNNNN"
	"syscalls per ping (strace -c, 20 pings minus 0)|NNNNN"
	"wake-ups while idle, 3 s with nobody connected|NNNRR"
	"fleet: ping 50 agents|NNN--"
	"fleet: time (TIME_GET, 8 samples) 50 agents|NNN--"
	"boot to ready in QEMU, TCG, default image|NN-N-|na-ok"
	"boot to ready in QEMU, TCG, the same boots at one host speed|NN-N-|na-ok"
	"boot to ready in QEMU, TCG -icount|NN-N-|na-ok"
	"time held|N-N-N|na-ok"
)
for i in "${!rows[@]}"; do # the sanitizer build: valgrind cannot run it
	[[ $MODE == asan && ${rows[i]} == "instructions per ping,"* ]] &&
		rows[i]="instructions per ping, user space (callgrind, 20 pings minus 0)|SSS--"
done

# cells LINE: the five value cells of a table line, one per line.
cells() { awk -F' [|] ' '{ for (i = 3; i <= 7; i++) { sub(/ [|]$/, "", $i); print $i } }' <<<"$1"; }
cell_ok() { # KIND VALUE
	case $1 in
	N) [[ $2 =~ ^[0-9]+(\.[0-9]+)?$ ]] ;;
	-) [ "$2" = "—" ] ;;
	S) [[ $2 == skipped\ \(*\) ]] ;;
	A) [[ $2 =~ ^n/a\ \(.+\)$ ]] ;;
	R) [[ $2 =~ ^[0-9]+(\.[0-9]+)?$ || $2 == "—" ]] ;; # a ratio, "—" over 0
	esac
}
for r in "${rows[@]}"; do
	IFS='|' read -r label spec naok <<<"$r"
	line=$(grep -F "| $label" "$T/table" || true)
	if [ "$(grep -c . <<<"$line")" != 1 ]; then
		not_ok "row present once: $label"
		continue
	fi
	mapfile -t c < <(cells "$line")
	[ -n "$naok" ] && [[ ${c[0]} == n/a* ]] && spec="A----"
	bad=""
	for i in 0 1 2 3 4; do
		cell_ok "${spec:i:1}" "${c[i]:-}" || bad+=" cell $((i + 1))=[${c[i]:-}]"
	done
	check_eq "row parsed: $label" "" "$bad"
done
check_eq "table has exactly ${#rows[@]} rows" "${#rows[@]}" \
	"$(grep -c '^| ' "$T/table" | awk '{print $1 - 2}')"
check_match "table names the machine" "^machine: .*CPUs" "$(grep '^machine:' "$T/table")"
boot_row=$(grep -F '| boot to ready in QEMU, TCG, default image' "$T/table")
if [ -n "$boot_row" ] && [[ $boot_row != *n/a* ]]; then
	check_match "host CPU speed given beside the boots" \
		"^host CPUs just before the boots .*: CPU [0-9]+ slices [0-9]+ best [0-9]+ median [0-9]+ slow [0-9]+" \
		"$(grep '^host CPUs' "$T/table")"
fi
check_match "bss tables of guestd listed" "^bss tables of guestd .*conn_bufs=[0-9.]+/[0-9]+" \
	"$(grep '^bss tables' "$T/table")"
done_testing
