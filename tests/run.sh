#!/bin/bash
# Run every test program and print one closing line: "N passed, N failed,
# N skipped". A skip ("ok N # SKIP why") is never counted as a pass, and a
# program whose TAP plan ("1..N") is missing or does not match the number
# of results it printed (it died halfway) counts as a failure.
# Unit tests are cmocka binaries in $UNIT_DIR (TAP output); integration and
# e2e tests are scripts printing TAP lines ("ok - name" / "not ok - name").
# A program that exits non-zero without a "not ok" line counts as a failure.
# Env: GUESTD, GUESTCTL (binaries under test), UNIT_DIR, MODE (release|asan),
# BUILD (make's build directory, default build: logs go to BUILD/test-logs,
# the fuzz replay uses BUILD's replay binaries and BUILD/fuzz-seeds),
# TESTS (optional glob filter on script names), SKIP_E2E=1 to skip QEMU tests.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
LOGDIR=$BUILD/test-logs/${MODE:-release}
rm -rf "$LOGDIR"; mkdir -p "$LOGDIR"
export GUESTD=$(realpath "$GUESTD") GUESTCTL=$(realpath "$GUESTCTL") BUILD=$(realpath -m "$BUILD")
export MODE=${MODE:-release} TOP=$PWD
passed=0 failed=0 skipped=0

# log_of NAME: NAME's log, named by its folder too: integration/ and e2e/
# both have a test_time.sh, and the two can run at once (the second lane).
log_of() { echo "$LOGDIR/${1%%/*}-$(basename "$1").log"; }

# run_test NAME COMMAND...: run one program into its log; its exit status
# and duration go to LOG.rc and LOG.s for tally.
run_test() {
	local log t0=$(date +%s)
	log=$(log_of "$1")
	shift
	"$@" >"$log" 2>&1 </dev/null
	echo $? >"$log.rc"
	echo $(( $(date +%s) - t0 )) >"$log.s"
}

# tally NAME: count a finished program's results and print its line.
tally() {
	local name=$1 log rc p f s plan
	log=$(log_of "$1")
	[ -f "$log.rc" ] || { echo 1 >"$log.rc"; echo 0 >"$log.s"; echo "not ok - never ran" >>"$log"; }
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

# A second lane: these e2e tests run one after another beside the unit,
# integration and other e2e tests (two QEMU guests at most at a time on
# this 2-core machine), and are counted in their place. The first spends
# most of its time waiting on an idle guest (60 s of syncs, 60 s without);
# the time tests measure the guest's drift themselves, so the load beside
# them does not matter. Each one's .done file says it has finished.
BESIDE=(e2e/test_time_discipline.sh e2e/test_libvirt.sh e2e/test_orderly_poweroff.sh
	e2e/test_idle.sh e2e/test_auth_watch.sh e2e/test_time.sh)
beside() { local b; for b in "${BESIDE[@]}"; do [ "$1" = "$b" ] && return 0; done; return 1; }
beside_pid=
if [ "${SKIP_E2E:-0}" != 1 ]; then
	(
		for b in "${BESIDE[@]}"; do
			if [ -f "tests/$b" ] && want "tests/$b"; then
				run_test "$b" bash "tests/$b"
			fi
			touch "$(log_of "$b").done"
		done
	) &
	beside_pid=$!
fi
# wait_beside NAME: until the second lane has finished NAME.
wait_beside() {
	while [ ! -f "$(log_of "$1").done" ] && kill -0 "$beside_pid" 2>/dev/null; do
		sleep 1
	done
}

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
		if beside "${t#tests/}"; then
			wait_beside "${t#tests/}"; tally "${t#tests/}"; continue
		fi
		run_one "${t#tests/}" bash "$t"
	done
fi
[ -z "$beside_pid" ] || wait "$beside_pid"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
