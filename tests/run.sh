#!/bin/bash
# Run every test program and print one closing line: "N passed, N failed".
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
passed=0 failed=0

run_one() { # name, command...
	local name=$1 log="$LOGDIR/$(basename "$1").log" rc p f
	shift
	local t0=$(date +%s)
	"$@" >"$log" 2>&1 </dev/null
	rc=$?
	p=$(grep -cE '^ok( |$)' "$log")
	f=$(grep -cE '^not ok( |$)' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; echo "not ok - $name exited $rc" >>"$log"; fi
	passed=$((passed + p)); failed=$((failed + f))
	printf '%-44s %4d passed %3d failed  (%ds)\n' "$name" "$p" "$f" $(( $(date +%s) - t0 ))
	if [ "$f" -ne 0 ]; then
		grep -E '^not ok' "$log" | sed 's/^/    /'
		echo "    --- last lines of $log:"; tail -n 25 "$log" | sed 's/^/    | /'
	fi
}

want() { [ -z "${TESTS:-}" ] || [[ "$1" == *${TESTS}* ]]; }

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
		run_one "${t#tests/}" bash "$t"
	done
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
