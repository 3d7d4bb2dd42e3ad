#!/bin/bash
# Replay every fuzz input through the fuzz targets, linked with a plain
# driver (in make check under ASan+UBSan): the seeds gen_corpus.py writes
# (make puts them in BUILD/fuzz-seeds/<target>), the finds kept in git
# (tests/fuzz/corpus/<target>/, named by the SHA-1 of their bytes) and any
# crash file in tests/fuzz/crashes/<target>/ (tests/fuzz/README.md).
source "$(dirname "$0")/../lib/lib.sh"

B=${BUILD:-$TOP/build}
if [ "$MODE" = asan ]; then R=$B/asan/replay; else R=$B/replay; fi
SEEDS=$B/fuzz-seeds
# count DIR: how many inputs DIR holds (0 when it is absent) in $n, added
# to $total; the replay driver skips dot files too.
count() { n=0; [ -d "$1" ] && n=$(find "$1" -type f ! -name '.*' | wc -l); total=$((total + n)); }
for t in decoder request qga; do
	bin=$R/fuzz_$t
	if [ ! -x "$bin" ]; then
		not_ok "fuzz_$t replay binary built" "missing $bin"
		continue
	fi
	paths=() total=0
	count "$SEEDS/$t"
	check "fuzz_$t generated seeds ($n, make's $SEEDS/$t)" test "$n" -ge 20
	[ -d "$SEEDS/$t" ] && paths+=("$SEEDS/$t")
	count "$TOP/tests/fuzz/corpus/$t"
	bad=$(cd "$TOP/tests/fuzz/corpus/$t" 2>/dev/null && find . -type f -print0 |
		xargs -0r sha1sum | awk '{ f = $2; sub(/^\.\//, "", f); if (f != $1) print f }')
	check_eq "fuzz_$t committed finds ($n) are named by their SHA-1 (no generated seed-*)" "" "$bad"
	[ -d "$TOP/tests/fuzz/corpus/$t" ] && paths+=("$TOP/tests/fuzz/corpus/$t")
	count "$TOP/tests/fuzz/crashes/$t"
	[ -d "$TOP/tests/fuzz/crashes/$t" ] && paths+=("$TOP/tests/fuzz/crashes/$t")
	out=$("$bin" "${paths[@]}" 2>&1); rc=$?
	check_eq "fuzz_$t replays seeds, finds and crashes without a finding" 0 "$rc"
	check_match "fuzz_$t replayed every input ($total)" "replayed $total inputs" "$out"
done
if command -v clang >/dev/null; then
	out=$(make -s -C "$TOP" --no-print-directory fuzz-syntax 2>&1)
	check_eq "make fuzz's sources compile with clang -Werror (fuzz-syntax)" "" "$out"
else
	not_ok "clang installed (make deps)"
fi
done_testing
