#!/bin/bash
# Replay every fuzz input kept in the tree (tests/fuzz/corpus/<target>/ and
# any crash-* in tests/fuzz/crashes/<target>/) through the fuzz targets,
# linked with a plain driver: in make check under ASan+UBSan.
source "$(dirname "$0")/../lib.sh"

if [ "$MODE" = asan ]; then R=$TOP/build/asan/replay; else R=$TOP/build/replay; fi
for t in decoder request qga; do
	bin=$R/fuzz_$t
	if [ ! -x "$bin" ]; then
		not_ok "fuzz_$t replay binary built" "missing $bin"
		continue
	fi
	n=$(find "$TOP/tests/fuzz/corpus/$t" -type f | wc -l)
	check "fuzz_$t corpus has seeds ($n)" test "$n" -ge 20
	paths=("$TOP/tests/fuzz/corpus/$t")
	[ -d "$TOP/tests/fuzz/crashes/$t" ] && paths+=("$TOP/tests/fuzz/crashes/$t")
	out=$("$bin" "${paths[@]}" 2>&1); rc=$?
	check_eq "fuzz_$t replays its corpus and crashes without a finding" 0 "$rc"
	check_match "fuzz_$t replayed every input" "replayed [0-9]+ inputs" "$out"
done
if command -v clang >/dev/null; then
	out=$(make -s -C "$TOP" --no-print-directory fuzz-syntax 2>&1)
	check_eq "make fuzz's sources compile with clang -Werror (fuzz-syntax)" "" "$out"
else
	not_ok "clang installed (make deps)"
fi
done_testing
