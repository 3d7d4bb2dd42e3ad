#!/bin/bash
# Crash test: kill -9 guestd at random moments during a burst of KV
# changes, many times (tests/lib/kv_crash.py drives it). After each restart
# every acknowledged SET/DEL is there, and no pool file is ever damaged
# (checked independently, in Python, against the format in docs/kv.md).
source "$(dirname "$0")/../lib/lib.sh"
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3 # skip slow interpreter shims
export PYTHONPATH=$TOP/tests/lib
ROUNDS=${KV_CRASH_ROUNDS:-30}

out=$($PY -B "$TOP/tests/lib/kv_crash.py" "$GUESTD" "$T" "$ROUNDS" 2>&1)
rc=$?
check_eq "$ROUNDS kill -9 rounds: every acknowledged change survived, files intact" 0 $rc
acked=0 midsave=0 keys=0
if [ $rc -eq 0 ]; then read -r acked midsave keys <<<"$out"; else echo "# $out"; fi
[ "$acked" -gt $((ROUNDS * 2)) ] && ok "more than 2 changes acknowledged per round" ||
	not_ok "more than 2 changes acknowledged per round" "$out"
check_eq "no damaged file reported by guestd" "" "$(grep -i damaged "$T/agent.log")"
echo "# $acked changes acknowledged over $ROUNDS rounds ($keys keys);" \
	"$midsave kills hit a save in progress (temp file left behind)"
done_testing
