#!/bin/bash
# guestctl kv: the host side of the exchange, human and JSON output,
# exit codes, paging, wait, and several agents at once.
source "$(dirname "$0")/../lib/lib.sh"
PY="python3 -B"
[ -x /usr/bin/python3 ] && PY="/usr/bin/python3 -B" # skip slow interpreter shims
export PYTHONPATH=$TOP/tests/lib

H=$T/h.sock L=$T/l.sock
export T
start_agent "$H" --local-sock "$L" || not_ok "agent starts"
GC() { "$GUESTCTL" --unix "$H" "$@"; }
KV() { "$GUESTD" kv --socket "$L" "$@"; }

check "guestctl kv set (host pool by default)" GC kv set motd "hello guest"
check_eq "the guest reads the host pool by default" "hello guest" "$(KV get motd)"
check "a guest process publishes" KV set status ready
check_eq "guestctl kv get reads the guest pool by default" ready "$(GC kv get status)"
check_eq "guestctl kv get --pool host" "hello guest" "$(GC kv get --pool host motd)"
check_eq "guestctl kv get --pool auto hostname" "$(uname -n)" "$(GC kv get --pool auto hostname)"
GC kv set --pool guest status x 2>"$T/err"; check_eq "host writing the guest pool: exit 1" 1 $?
check_match "read-only message" "read-only: the guest pool is read-only to the host" "$(cat "$T/err")"
GC kv get nothing 2>"$T/err"; check_eq "missing key: exit 1" 1 $?
check_match "missing key: not-found" "not-found" "$(cat "$T/err")"
GC kv set "$(printf 'k%.0s' {1..513})" x 2>"$T/err"; check_eq "513-byte key: exit 1" 1 $?
check_match "513-byte key: too-big" "too-big: key over 512 bytes" "$(cat "$T/err")"
head -c 2049 /dev/zero | tr '\0' v | GC kv set big 2>"$T/err"; check_eq "2049-byte value from stdin: exit 1" 1 $?
head -c 2048 /dev/zero | tr '\0' v | GC kv set big; check_eq "2048-byte value from stdin: exit 0" 0 $?
check_eq "2048-byte value read back" 2048 "$(GC kv get --pool host big | tr -d '\n' | wc -c)"
printf 'a\tb\nc' | GC kv set tabs
check_match "list escapes tabs and newlines" $'tabs\ta\\\\tb\\\\nc' "$(GC kv list --pool host)"
check_eq "list --keys" "$(printf 'motd\nbig\ntabs')" "$(GC kv list --pool host --keys)"
check "del" GC kv del big
GC kv get --pool host big 2>/dev/null; check_eq "deleted: exit 1" 1 $?
for args in "" "frob" "get" "list x" "get --pool nope k" "wait --for 0 k" "del a b"; do
	GC kv $args >/dev/null 2>&1; check_eq "usage error [kv $args]: exit 2" 2 $?
done

out=$(GC --json kv get status)
check "get --json" $PY -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["ok"] and d["value"]=="ready" and d["pool"]=="guest" and d["key"]=="status", d' "$out"
printf '\x00\xff' | GC kv set bin
out=$(GC --json kv get --pool host bin)
check_match "binary value as value_hex" '"value_hex":"00ff"' "$out"
out=$(GC --json kv get nothing)
check_match "agent error in JSON" '"ok":false.*"status":"not-found".*"exit_code":1' "$out"

check "a full guest pool lists through pages, JSON lines" $PY - <<'PYEOF'
import json, os, subprocess
from gdkv import *
g = KV(os.environ["T"] + "/l.sock")
for i in range(POOL_ENTRIES - 1):   # "status" is already there
    assert g.set("guest", ("%04d" % i).ljust(KEY_MAX, "x"), b"v" * VALUE_MAX) == 0
assert g.set("guest", "overflow", b"1") == S["pool_full"]
out = subprocess.run([os.environ["GUESTCTL"], "--unix", os.environ["T"] + "/h.sock",
                      "--json", "kv", "list"], capture_output=True, check=True).stdout
lines = [json.loads(l) for l in out.decode().splitlines()]
entries, summary = lines[:-1], lines[-1]
assert summary["ok"] and summary["count"] == POOL_ENTRIES, summary
assert len({e["key"] for e in entries}) == POOL_ENTRIES
assert all(e["value"] == "v" * VALUE_MAX for e in entries if e["key"] != "status")
for e in entries:
    if e["key"] != "status":
        assert g.dele("guest", e["key"]) == 0
PYEOF

# wait: for a key the guest publishes later; for a value; for the next change.
GC kv wait booted >"$T/w1" & wpid=$!
sleep 0.3; KV set booted yes; wait $wpid
check_eq "guestctl kv wait: returns once the guest sets it" "0 yes" "$? $(cat "$T/w1")"
GC kv wait --change status >"$T/w2" & wpid=$!
sleep 0.3; KV set status busy; wait $wpid
check_eq "guestctl kv wait --change" "0 busy" "$? $(cat "$T/w2")"
GC kv wait status idle >"$T/w3" & wpid=$!
sleep 0.3; KV set status still-busy; sleep 0.2; KV set status idle; wait $wpid
check_eq "guestctl kv wait KEY VALUE" "0 idle" "$? $(cat "$T/w3")"
GC kv wait --for 300 never 2>/dev/null; check_eq "guestctl kv wait --for: exit 4" 4 $?

# Several agents at once: one command, every target.
AGENT_LOG=$T/a2.log start_agent "$T/h2.sock" --local-sock ""
out=$("$GUESTCTL" --unix "$H" --unix "$T/h2.sock" kv set fleet 1)
check_match "set on two agents" "2 targets: 2 ok" "$out"
out=$("$GUESTCTL" --unix "$H" --unix "$T/h2.sock" kv get --pool host fleet)
# results come in the order the agents answer: compare them sorted
check_eq "get from two agents" "$(printf 'unix:%s\t1\nunix:%s\t1' "$H" "$T/h2.sock" | sort)" "$(echo "$out" | grep -v targets | sort)"
done_testing
