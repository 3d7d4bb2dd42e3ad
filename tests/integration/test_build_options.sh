#!/bin/bash
# The build options for users who count bytes (agent/core/buildopts.h): make
# GD_QGA=0 GD_KV_CLI=0 builds, is smaller, has no malloc, serves PING and
# KV, and refuses by name what it left out (qga-* keys from flags and from
# the config file, `guestd kv`). The default build keeps both (test_qga,
# test_kv, test_help).
source "$(dirname "$0")/../lib/lib.sh"
cd "$TOP"

[ "$MODE" = release ] || skip_all "the options are musl builds (MODE=$MODE)"
# The same spelling of the path as make bench-bin's (BUILD/opt-min,
# relative): the objects' .d files name their targets as they were
# spelled, so an absolute path here left a later relative build without
# its header dependencies (a stale object after a header changed).
B=$(realpath --relative-to="$TOP" "$(dirname "$GUESTD")")
MIN=$B/opt-min/guestd
check "make GD_QGA=0 GD_KV_CLI=0 builds" make -s --no-print-directory \
	BUILD="$B/opt-min" GD_QGA=0 GD_KV_CLI=0 "$MIN"
[ -x "$MIN" ] || { done_testing; exit; }
full=$(strip -o "$T/full" "$GUESTD" && stat -c %s "$T/full")
small=$(strip -o "$T/small" "$MIN" && stat -c %s "$T/small")
check "smaller than the default build ($small < $full bytes)" [ "$small" -lt "$full" ]
check_eq "links no malloc/calloc/realloc/free" "" \
	"$(nm "$MIN" | awk '$3 ~ /^(malloc|calloc|realloc|free)$/ {print $3}' | tr '\n' ' ')"
check_match "--help still lists every key (qga-* refused when set)" "--qga-unix" \
	"$("$MIN" --help)"

err=$("$MIN" --no-vsock --config /nonexistent --cmdline /nonexistent --local-sock "" \
	--unix "$T/x.sock" --qga-unix "$T/q.sock" 2>&1); rc=$?
check_eq "--qga-unix: exit 2" 2 "$rc"
check_match "--qga-unix: says why, by name" \
	"qga-unix: this guestd was built without the QEMU guest agent protocol \(make GD_QGA=0\)" "$err"
printf 'qga-serial=org.qemu.guest_agent.1\n' >"$T/conf"
err=$("$MIN" --no-vsock --config "$T/conf" --cmdline /nonexistent --local-sock "" \
	--unix "$T/x.sock" 2>&1); rc=$?
check_eq "qga-serial in the config file: exit 2" 2 "$rc"
check_match "qga-serial in the config file: says why" "qga-serial: this guestd was built without" "$err"
err=$("$MIN" kv get some.key 2>&1); rc=$?
check_eq "guestd kv: exit 2" 2 "$rc"
check_match "guestd kv: says why" "built without the KV client \(make GD_KV_CLI=0\)" "$err"

GUESTD=$MIN
S=$T/g.sock
start_agent "$S" || not_ok "agent starts"
check "serves ping" sh -c "\"$GUESTCTL\" --unix \"$S\" ping >/dev/null"
check "serves KV set" "$GUESTCTL" --unix "$S" kv set --pool host some.key some-value
check_eq "serves KV get" "some-value" "$("$GUESTCTL" --unix "$S" kv get --pool host some.key)"
done_testing
