#!/bin/bash
# Run every test program and print one closing line: "N passed, N failed,
# N skipped". A skip ("ok N # SKIP why") is never counted as a pass, and a
# program whose TAP plan ("1..N") is missing or does not match the number
# of results it printed (it died halfway) counts as a failure.
# Unit tests are cmocka binaries in $UNIT_DIR (TAP output); integration and
# e2e tests are scripts printing TAP lines ("ok - name" / "not ok - name").
# A program that exits non-zero without a "not ok" line counts as a failure.
# Env: GUESTD, GUESTCTL (binaries under test), UNIT_DIR, MODE (release|asan),
# TESTS (optional glob filter on script names), SKIP_E2E=1 to skip QEMU tests.
set -u
cd "$(dirname "$0")/.."
LOGDIR=build/test-logs/${MODE:-release}
rm -rf "$LOGDIR"; mkdir -p "$LOGDIR"
export GUESTD=$(realpath "$GUESTD") GUESTCTL=$(realpath "$GUESTCTL")
export MODE=${MODE:-release} TOP=$PWD
passed=0 failed=0 skipped=0

# run_test NAME COMMAND...: run one program into its log; its exit status
# and duration go to LOG.rc and LOG.s for tally.
run_test() {
	local log="$LOGDIR/$(basename "$1").log" t0=$(date +%s)
	shift
	"$@" >"$log" 2>&1 </dev/null
	echo $? >"$log.rc"
	echo $(( $(date +%s) - t0 )) >"$log.s"
}

# tally NAME: count a finished program's results and print its line.
tally() {
	local name=$1 log="$LOGDIR/$(basename "$1").log" rc p f s plan
	rc=$(cat "$log.rc")
	s=$(grep -ciE '^ok( [0-9]+)? *(- *)?# *skip' "$log")
	p=$(( $(grep -cE '^ok( |$)' "$log") - s ))
	f=$(grep -cE '^not ok( |$)' "$log")
	plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\).*/\1/p' "$log" | awk '{ n += $1 } END { print n + 0 }')
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; echo "not ok - $name exited $rc" >>"$log"; fi
	if ! grep -qE '^1\.\.[0-9]+' "$log" && [ "$f" -eq 0 ]; then
		f=1; echo "not ok - $name printed no TAP plan (1..N)" >>"$log"
	elif [ "$plan" -ne $((p + s + f)) ] && [ "$f" -eq 0 ]; then
		f=1; echo "not ok - $name: its plan says $plan results, it printed $((p + s))" >>"$log"
	fi
	passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
	printf '%-44s %4d passed %3d failed %3d skipped  (%ds)\n' "$name" "$p" "$f" "$s" "$(cat "$log.s")"
	if [ "$f" -ne 0 ]; then
		grep -E '^not ok' "$log" | sed 's/^/    /'
		echo "    --- last lines of $log:"; tail -n 25 "$log" | sed 's/^/    | /'
	fi
}

run_one() { run_test "$@"; tally "$1"; }

want() { [ -z "${TESTS:-}" ] || [[ "$1" == *${TESTS}* ]]; }

# The longest e2e test spends most of its time waiting on an idle guest
# (60 s of syncs, 60 s without): it runs beside the unit and integration
# tests instead of after them, and is counted in its place. It measures
# the guest's drift itself, so the load beside it does not matter.
BESIDE=e2e/test_time_discipline.sh
beside_pid=
if [ "${SKIP_E2E:-0}" != 1 ] && [ -f "tests/$BESIDE" ] && want "tests/$BESIDE"; then
	run_test "$BESIDE" bash "tests/$BESIDE" &
	beside_pid=$!
fi

for bin in "${UNIT_DIR}"/test_*; do
	[ -x "$bin" ] || continue
	want "$bin" || continue
	run_one "unit/$(basename "$bin")" env CMOCKA_MESSAGE_OUTPUT=TAP "$bin"
done
for t in tests/integration/test_*.sh; do
	[ -f "$t" ] || continue
	want "$t" || continue
	run_one "${t#tests/}" bash "$t"
done
if [ "${SKIP_E2E:-0}" != 1 ]; then
	for t in tests/e2e/test_*.sh; do
		[ -f "$t" ] || continue
		want "$t" || continue
		if [ "${t#tests/}" = "$BESIDE" ]; then
			wait "$beside_pid"; tally "$BESIDE"; continue
		fi
		run_one "${t#tests/}" bash "$t"
	done
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
