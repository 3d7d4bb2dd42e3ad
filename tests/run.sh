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

want() { [ -z "${TESTS:-}" ] || [[ "$1" == *${TESTS}* ]]; }

# Every program to run, in the order of the summary: unit, integration, e2e.
names=()
for bin in "${UNIT_DIR}"/test_*; do
	[ -x "$bin" ] && want "$bin" && names+=("unit/$(basename "$bin")")
done
for t in tests/integration/test_*.sh; do
	[ -f "$t" ] && want "$t" && names+=("${t#tests/}")
done
if [ "${SKIP_E2E:-0}" != 1 ]; then
	for t in tests/e2e/test_*.sh; do
		[ -f "$t" ] && want "$t" && names+=("${t#tests/}")
	done
fi

# run NAME: run one program (a unit binary or a test script), then say it
# is over (NAME's .done file).
run() {
	case $1 in
	unit/*) run_test "$1" env CMOCKA_MESSAGE_OUTPUT=TAP "$UNIT_DIR/${1#unit/}" ;;
	*) run_test "$1" bash "tests/$1" ;;
	esac
	touch "$(log_of "$1").done"
}

# A second lane: these e2e tests run one after another beside the unit,
# integration and other e2e tests (two QEMU guests at most at a time on
# this 2-core machine), and are counted in their place. The first spends
# most of its time waiting on an idle guest (60 s of syncs, 60 s without);
# the time tests measure the guest's drift themselves, so the load beside
# them does not matter.
BESIDE=(e2e/test_time_discipline.sh e2e/test_libvirt.sh e2e/test_orderly_poweroff.sh
	e2e/test_idle.sh e2e/test_auth_watch.sh e2e/test_time.sh)
beside() { local b; for b in "${BESIDE[@]}"; do [ "$1" = "$b" ] && return 0; done; return 1; }
listed() { local n; for n in "${names[@]}"; do [ "$1" = "$n" ] && return 0; done; return 1; }
(
	for b in "${BESIDE[@]}"; do
		! listed "$b" || run "$b"
	done
) &
beside_pid=$!

# flush: print the lines of the finished programs at the head of the list,
# so the summary keeps its order while the first lane runs ahead of the
# second; at the end (the second lane gone), every line left.
next=0
flush() {
	while [ "$next" -lt "${#names[@]}" ]; do
		[ -f "$(log_of "${names[next]}").done" ] || [ "${1:-}" = all ] || break
		tally "${names[next]}"
		next=$((next + 1))
	done
}

for n in "${names[@]}"; do
	beside "$n" || { run "$n"; flush; }
done
while [ "$next" -lt "${#names[@]}" ] && kill -0 "$beside_pid" 2>/dev/null; do
	flush; sleep 1
done
wait "$beside_pid"
flush all
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
