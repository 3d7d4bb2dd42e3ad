#!/bin/bash
# KV exchange: every limit at and one past, a full pool, paged listing,
# who may write which pool, the local socket's peer check, watches and a
# slow watcher, the auto pool, `guestd kv`, and persistence across restarts.
source "$(dirname "$0")/../lib/lib.sh"
PY="python3 -B"
[ -x /usr/bin/python3 ] && PY="/usr/bin/python3 -B" # skip slow interpreter shims
export PYTHONPATH=$TOP/tests/lib
chmod 755 "$T" # the local socket must be reachable for the uid tests

H=$T/h.sock L=$T/l.sock
start_agent "$H" --local-sock "$L" --kv-allow-gid 4242 || not_ok "agent starts"
MAIN_PID=$AGENT_PID
KV() { "$GUESTD" kv --socket "$L" "$@"; }
export H L

check "limits: key 512/513, value 2048/2049, bad keys, missing fields" $PY - <<'PYEOF'
import os
from gdkv import *
c = KV(os.environ["H"])
k512, v2048 = "k" * KEY_MAX, b"v" * VALUE_MAX
assert c.set("host", k512, b"x") == S["ok"]
assert c.get("host", k512) == b"x"
assert c.set("host", k512 + "k", b"x") == S["too_big"]
assert c.get("host", k512 + "k") == S["too_big"]
assert c.set("host", "big", v2048) == S["ok"] and c.get("host", "big") == v2048
assert c.set("host", "big2", v2048 + b"v") == S["too_big"]
assert c.get("host", "big2") == S["not_found"]
assert c.set("host", "empty", b"") == S["ok"] and c.get("host", "empty") == b""
assert c.set("host", "bin", b"\x00\xff\n") == S["ok"] and c.get("host", "bin") == b"\x00\xff\n"
# a 4-byte UTF-8 key exactly at the limit, and one byte over
emoji = "\U0001F600" * 128
assert len(emoji.encode()) == 512 and c.set("host", emoji, b"1") == S["ok"]
assert c.set("host", emoji + "a", b"1") == S["too_big"]
for bad in [b"", b"a\nb", b"a\x00b", b"tab\t", b"\x7f", b"\xc2\x85", b"\xc0\xaf",
            b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xff", b"cut\xe2\x82"]:
    r = c.rpc("kv_set", req("host", bad, b"1"))
    assert r["status"] == S["bad_key"], (bad, r)
    assert b"UTF-8" in r["tlvs"][1], r
    for pool in ("host", "guest", "auto"):  # a GET checks a key it misses
        r = c.rpc("kv_get", req(pool, bad))
        assert r["status"] == S["bad_key"] and b"UTF-8" in r["tlvs"][1], \
            (pool, bad, r)
for good in ["caf\u00e9", "with space", "a=b;c", "\u20ac"]:
    assert c.set("host", good, b"1") == S["ok"], good
assert c.rpc("kv_set", req(None, "k", b"1"))["status"] == S["missing_field"]
assert c.rpc("kv_set", req("host", None, b"1"))["status"] == S["missing_field"]
assert c.rpc("kv_set", req("host", "k"))["status"] == S["missing_field"]
assert c.rpc("kv_get", req(3, "k"))["status"] == S["bad_value"]
assert c.rpc("kv_get", req("host", None))["status"] == S["missing_field"]
assert c.get("auto", k512 + "k") == S["too_big"]
assert c.rpc("kv_get", tlv(T["pool"], b"\x00\x00") + tlv(T["key"], "k"))["status"] == S["bad_tlv"]
assert c.get("host", "nope") == S["not_found"]
assert c.dele("host", "nope") == S["not_found"]
assert c.dele("host", "big") == S["ok"] and c.get("host", "big") == S["not_found"]
PYEOF

check "full pool: entry 1025 refused, the 1024 kept; listed over pages <= 8192" $PY - <<'PYEOF'
import os
from gdkv import *
c = KV(os.environ["H"])
for k in [x[0] for p in c.list_pages("host", keys_only=True) for x in p[0]]:
    assert c.dele("host", k) == 0
def key(i): return ("%04d" % i).ljust(KEY_MAX, "k")
def val(i): return bytes([i % 256]) * VALUE_MAX
for i in range(POOL_ENTRIES):
    assert c.set("host", key(i), val(i)) == S["ok"], i
r = c.rpc("kv_set", req("host", "one-more", b"x"))
assert r["status"] == S["pool_full"] and b"1024" in r["tlvs"][1], r
assert c.get("host", "one-more") == S["not_found"]
assert c.set("host", key(5), b"replaced") == S["ok"]  # replacing still works
assert c.set("host", key(5), val(5)) == S["ok"]
pages = c.list_pages("host")
seen = {}
for entries, count, plen in pages:
    assert count == POOL_ENTRIES and plen <= 8192, (count, plen)
    for k, v in entries:
        assert k not in seen
        seen[k] = v
assert len(pages) == 342 and len(seen) == POOL_ENTRIES, len(pages)  # 3 per page
for i in range(POOL_ENTRIES):
    assert seen[key(i).encode()] == val(i), i
kpages = c.list_pages("host", keys_only=True)
keys = [k for p in kpages for k, _ in p[0]]
assert sorted(keys) == sorted(seen) and len(kpages) == 69, len(kpages)  # 15 per page
# a delete frees one slot, and only one
assert c.dele("host", key(700)) == 0
assert c.set("host", "one-more", b"x") == 0 and c.set("host", "two-more", b"x") == S["pool_full"]
for k in list(seen) + [b"one-more"]:
    c.dele("host", k)
print("# %d pages for a full pool of maximum-size entries" % len(pages))
PYEOF

check "who writes: host->host only, guest->guest only, auto never; local ops limited" $PY - <<'PYEOF'
import os
from gdkv import *
h, g = KV(os.environ["H"]), KV(os.environ["L"])
assert h.set("host", "h", b"1") == 0 and g.set("guest", "g", b"2") == 0
for conn, pool in [(h, "guest"), (h, "auto"), (g, "host"), (g, "auto")]:
    r = conn.rpc("kv_set", req(pool, "x", b"1"))
    assert r["status"] == S["read_only"] and b"read-only" in r["tlvs"][1], (pool, r)
    assert conn.rpc("kv_del", req(pool, "h"))["status"] == S["read_only"]
assert g.get("host", "h") == b"1" and h.get("guest", "g") == b"2"  # all read all
assert h.get("host", "h") == b"1" and g.get("guest", "g") == b"2"
assert g.rpc("ping")["status"] == 0 and g.rpc("info")["status"] == 0
assert g.rpc("shutdown")["status"] == S["not_permitted"]
assert h.rpc("shutdown")["status"] != S["not_permitted"]
PYEOF

check "watch: events on change, not for own changes, per pool, stoppable" $PY - <<'PYEOF'
import os, subprocess
from gdkv import *
w, h = KV(os.environ["H"]), KV(os.environ["H"])
assert w.watch("guest") == 0
subprocess.run([os.environ["GUESTD"], "kv", "--socket", os.environ["L"], "set", "w1", "x"], check=True)
assert event_fields(w.next_event()) == dict(change=1, pool=1, key=b"w1")
subprocess.run([os.environ["GUESTD"], "kv", "--socket", os.environ["L"], "del", "w1"], check=True)
assert event_fields(w.next_event()) == dict(change=2, pool=1, key=b"w1")
h.watch()                      # all pools
assert w.set("host", "own", b"1") == 0 and h.set("host", "other", b"1") == 0
assert event_fields(h.next_event()) == dict(change=1, pool=0, key=b"own")
assert w.rpc("ping")["status"] == 0 and not w.events  # host pool not watched by w
assert h.set("host", "other", b"1") == 0               # unchanged value: no event
assert w.watch("guest", on=0) == 0
subprocess.run([os.environ["GUESTD"], "kv", "--socket", os.environ["L"], "set", "w2", "x"], check=True)
assert event_fields(h.next_event()) == dict(change=1, pool=1, key=b"w2")
assert w.rpc("ping")["status"] == 0 and not w.events
PYEOF

check "slow watcher: events dropped then flagged once, agent and its answers unaffected" $PY - <<'PYEOF'
import os, socket
from gdkv import *
w, h, p = KV(os.environ["H"]), KV(os.environ["H"]), KV(os.environ["H"])
w.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
assert w.watch("host") == 0
N, K = 3000, 400
keys = [("s%03d" % (i % K)).ljust(400, "s").encode() for i in range(N)]
for i in range(N):
    assert h.set("host", keys[i], b"%d" % i) == 0   # never blocked by the watcher
    if i == N // 2:
        assert p.rpc("ping")["status"] == 0
w.id += 1
w.send(frame(OP["ping"], id=w.id))                   # its own request still answered
got, overflow, pong = [], [], False
while not pong or not overflow:
    r = w.recv_frame()
    if r["flags"] & F_EVENT:
        f = event_fields(r)
        (overflow if f["change"] == 3 else got).append(f)
        assert not overflow or f["change"] == 3, "event after the overflow notice"
    else:
        pong = r["id"] == w.id and r["status"] == 0
assert len(overflow) == 1 and 0 < len(got) < N, (len(got), overflow)
assert [f["key"] for f in got] == keys[:len(got)]   # in order, none skipped before the drop
assert len(got) + overflow[0]["dropped"] == N, (len(got), overflow)
assert w.rpc("ping")["status"] == 0 and not w.events
for k in keys[:K]:
    h.dele("host", k)
print("# %d events delivered, %d dropped and flagged" % (len(got), overflow[0]["dropped"]))
PYEOF

# The auto pool: what guestd knows about the system, read-only.
check_eq "auto hostname" "$(uname -n)" "$(KV get --pool auto hostname)"
check_eq "auto kernel.release" "$(uname -r)" "$(KV get --pool auto kernel.release)"
check_eq "auto net.lo.ipv4 (netlink)" "127.0.0.1/8" "$(KV get --pool auto net.lo.ipv4)"
check_match "auto agent.version" "^[0-9]+\.[0-9]+\.[0-9]+$" "$(KV get --pool auto agent.version)"
check_eq "auto boot.id" "$(cat /proc/sys/kernel/random/boot_id)" "$(KV get --pool auto boot.id)"
check_eq "auto workload.state (no workload fields yet)" "none" "$(KV get --pool auto workload.state)"
check_match "auto uptime.seconds" "^[0-9]+$" "$(KV get --pool auto uptime.seconds)"
out=$(KV list --pool auto --keys)
check_match "auto pool lists os.name and net keys" "os.name.*net\.lo\.ipv4" "$(echo $out)"
KV set --pool auto hostname x 2>"$T/err"; check_eq "auto pool is read-only: exit 1" 1 $?
check_match "auto read-only message" "read-only" "$(cat "$T/err")"

# An auto change found while answering a watcher's own read: the event
# comes first, then a well-formed answer (own UTS namespace: no effect
# on this machine's hostname).
if unshare --uts true 2>/dev/null; then
	unshare --uts "$GUESTD" --no-vsock --config /nonexistent --cmdline /nonexistent \
		--unix "$T/u.sock" --local-sock "" >"$T/u.log" 2>&1 & upid=$!; _pids+=($upid)
	wait_for_socket "$T/u.sock"
	U=$T/u.sock UPID=$upid check "auto change seen by watchers, also while they read" $PY - <<'PYEOF'
import os, subprocess
from gdkv import *
w, other = KV(os.environ["U"]), KV(os.environ["U"])
assert w.watch("auto") == 0 and other.watch("auto") == 0
subprocess.run(["nsenter", "--uts", "-t", os.environ["UPID"], "hostname", "kv-renamed"], check=True)
assert w.get("auto", "hostname") == b"kv-renamed"
assert [event_fields(e) for e in w.events] == [dict(change=1, pool=2, key=b"hostname")], w.events
assert event_fields(other.next_event()) == dict(change=1, pool=2, key=b"hostname")
subprocess.run(["nsenter", "--uts", "-t", os.environ["UPID"], "hostname", "kv-again"], check=True)
pages = w.list_pages("auto")
assert dict(pages[0][0])[b"hostname"] == b"kv-again"
assert event_fields(w.events[-1]) == dict(change=1, pool=2, key=b"hostname")
PYEOF
else
	ok "# SKIP unshare --uts not permitted"
fi

# Address bounds, in a network namespace of our own: 256 addresses read
# per refresh, and a net.* value cut at the last whole address in 2048 bytes.
if unshare --net true 2>/dev/null; then
	unshare --net bash -c 'ip link set lo up &&
		for i in $(seq 1 254); do echo "addr add 10.9.$((i / 200)).$((i % 200 + 1))/32 dev lo"; done |
		ip -batch - && exec "$0" --no-vsock --config /nonexistent --cmdline /nonexistent \
			--unix "$1" --local-sock ""' "$GUESTD" "$T/n.sock" >"$T/n.log" 2>&1 & npid=$!; _pids+=($npid)
	wait_for_socket "$T/n.sock"
	NS=$T/n.sock NPID=$npid check "255 IPv4 + ::1 = 256 addresses: all read; value cut at 2048; 257: one left out" $PY - <<'PYEOF'
import os, re, subprocess
from gdkv import *
c = KV(os.environ["NS"])
v4 = c.get("auto", "net.lo.ipv4").decode()
addrs = v4.split(",")
assert len(v4) <= VALUE_MAX and len(v4) + len(",10.9.1.55/32") > VALUE_MAX, len(v4)
assert all(re.fullmatch(r"\d+\.\d+\.\d+\.\d+/\d+", a) for a in addrs), addrs[-1]
assert addrs[0] == "127.0.0.1/8" and 150 < len(addrs) < 255, len(addrs)
assert c.get("auto", "net.lo.ipv6") == b"::1/128"          # address 256 of 256
subprocess.run(["nsenter", "--net", "-t", os.environ["NPID"], "ip", "addr", "add",
                "10.9.9.9/32", "dev", "lo"], check=True)
assert c.get("auto", "net.lo.ipv6") == S["not_found"]      # address 257: left out
PYEOF
else
	ok "# SKIP unshare --net not permitted"
fi

# guestd kv: the guest's client.
check "kv set (guest pool)" KV set color blue
check_eq "kv get --pool guest" "blue" "$(KV get --pool guest color)"
printf 'two\nlines\t\\' | KV set multi
check_eq "kv set from stdin, get" "$(printf 'two\nlines\t\\')" "$(KV get --pool guest multi)"
check_match "kv list escapes values" $'multi\ttwo\\\\nlines\\\\t\\\\\\\\' "$(KV list --pool guest)"
head -c 2048 /dev/zero | tr '\0' v | KV set v2048; check_eq "stdin value of 2048 bytes: exit 0" 0 $?
head -c 2049 /dev/zero | tr '\0' v | KV set v2049 2>"$T/err"; check_eq "stdin value of 2049 bytes: exit 1" 1 $?
check_match "2049 bytes: too-big" "too-big" "$(cat "$T/err")"
KV set "$(printf 'k%.0s' {1..512})" x; check_eq "512-byte key via kv: exit 0" 0 $?
KV set "$(printf 'k%.0s' {1..513})" x 2>"$T/err"; check_eq "513-byte key via kv: exit 1" 1 $?
check_match "513 bytes: too-big" "too-big" "$(cat "$T/err")"
KV set "$(printf 'a\nb')" x 2>"$T/err"; check_eq "newline in key: exit 1" 1 $?
check_match "newline in key: bad-key" "bad-key" "$(cat "$T/err")"
KV get nothing-here 2>"$T/err"; check_eq "kv get missing: exit 1" 1 $?
check_match "missing: not-found" "not-found" "$(cat "$T/err")"
KV set --pool host x 1 2>"$T/err"; check_eq "guest process writing the host pool: exit 1" 1 $?
check_match "host pool read-only to guests" "read-only: the host pool is read-only to guest processes" "$(cat "$T/err")"
check "kv del" KV del color
KV get --pool guest color 2>/dev/null; check_eq "deleted key gone" 1 $?
"$GUESTD" kv --socket "$T/none.sock" get x 2>/dev/null; check_eq "kv: no agent: exit 3" 3 $?
for args in "" "frob" "get" "get --pool nope x" "get a b c d" "set --timeout x a b"; do
	KV $args >/dev/null 2>&1; check_eq "kv usage error [$args]: exit 2" 2 $?
done
check_match "guestd kv --help" "wait \[--pool P\]" "$("$GUESTD" kv --help)"

# kv wait: for a key the host sets later, for a value, for the next change.
host_set() { $PY -c 'import os,sys; from gdkv import *; assert KV(os.environ["H"]).set("host", sys.argv[1], sys.argv[2].encode()) == 0' "$@"; }
KV wait ready >"$T/w1" & wpid=$!
sleep 0.2; host_set ready yes; wait $wpid; rc=$?
check_eq "kv wait KEY: exit 0 once the host sets it" 0 $rc
check_eq "kv wait prints the value" yes "$(cat "$T/w1")"
check_eq "kv wait for an existing key returns at once" yes "$(KV wait --timeout 1000 ready)"
KV wait ready go >"$T/w2" & wpid=$!
sleep 0.2; host_set ready not-yet; sleep 0.2; host_set ready go; wait $wpid
check_eq "kv wait KEY VALUE: returns on the matching value" go "$(cat "$T/w2")"
KV wait --change ready >"$T/w3" & wpid=$!
sleep 0.2; host_set ready again; wait $wpid
check_eq "kv wait --change: the next value" again "$(cat "$T/w3")"
KV wait --timeout 300 never 2>"$T/err"; check_eq "kv wait --timeout: exit 4" 4 $?

# The local socket's peer check (SO_PEERCRED / SO_PEERGROUPS).
if setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null; then
	setpriv --reuid=65534 --regid=65534 --clear-groups "$GUESTD" kv --socket "$L" get --pool guest multi 2>"$T/err"
	check_eq "uid 65534 not allowed: exit 1" 1 $?
	check_match "uid 65534: not-permitted" "not-permitted: uid 65534 is not allowed" "$(cat "$T/err")"
	check_log "refusal logged" "refused local:.*uid=65534" "$T/agent.log"
	out=$(setpriv --reuid=65534 --regid=65534 --groups=4242 "$GUESTD" kv --socket "$L" get --pool guest v2048)
	check_eq "supplementary gid 4242 allowed (kv-allow-gid)" 2048 "${#out}"
	g256=$(seq -s, 5001 5255),4242 g257=$(seq -s, 5001 5256),4242
	out=$(setpriv --reuid=65534 --regid=65534 --groups="$g256" "$GUESTD" kv --socket "$L" get --pool guest v2048)
	check_eq "256 supplementary groups, the last allowed: allowed" 2048 "${#out}"
	setpriv --reuid=65534 --regid=65534 --groups="$g257" "$GUESTD" kv --socket "$L" get --pool guest v2048 2>"$T/err"
	check_eq "257 supplementary groups: judged by uid and primary gid, refused" "1 not-permitted" "$? $(grep -o not-permitted "$T/err")"
	printf 'kv-allow-uid = 1000, 65534\n' >"$T/guestd.conf"
	AGENT_LOG=$T/a2.log start_agent "$T/h2.sock" --local-sock "$T/l2.sock" --config "$T/guestd.conf"
	setpriv --reuid=65534 --regid=65534 --clear-groups "$GUESTD" kv --socket "$T/l2.sock" set mine 1
	check_eq "uid 65534 allowed by kv-allow-uid in the config file" 0 $?
	kill "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null
else
	ok "# SKIP setpriv cannot change uid here"
fi
check_eq "local socket is mode 0666 (access decided by SO_PEERCRED)" 666 "$(stat -c %a "$L")"

# Persistence: pools survive a restart; INFO says whether they do.
info_field() { "$GUESTCTL" --unix "$1" --json info | $PY -c 'import json,sys; print(json.load(sys.stdin).get(sys.argv[1], "-"))' "$2"; }
check_eq "without state-dir: kv_persistent 0" 0 "$(info_field "$H" kv_persistent)"
kill "$MAIN_PID"; wait "$MAIN_PID" 2>/dev/null
SD=$T/state P=$T/p.sock PL=$T/pl.sock
export SD P
AGENT_LOG=$T/p.log start_agent "$P" --local-sock "$PL" --state-dir "$SD"
FIRST_PID=$AGENT_PID
check_eq "with state-dir: kv_persistent 1" 1 "$(info_field "$P" kv_persistent)"
H=$P host_set hk host-value
"$GUESTD" kv --socket "$PL" set gk guest-value
check_eq "state dir is private" 700 "$(stat -c %a "$SD")"
AGENT_LOG=$T/p2.log start_agent "$T/p2.sock" --local-sock "" --state-dir "$SD"
check_match "a second guestd on the same state dir stays in memory" "in use by another guestd" "$(info_field "$T/p2.sock" kv_store_error)"
kill "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null
kill "$FIRST_PID"; wait "$FIRST_PID" 2>/dev/null
AGENT_LOG=$T/p.log start_agent "$P" --local-sock "$PL" --state-dir "$SD"
check_eq "host key survives a restart" host-value "$("$GUESTD" kv --socket "$PL" get hk)"
check_eq "guest key survives a restart" guest-value "$("$GUESTD" kv --socket "$PL" get --pool guest gk)"
check "pool files parse and check out" $PY - <<'PYEOF'
import os
from gdkv import read_pool_file
pool, gen, e = max((read_pool_file(os.path.join(os.environ["SD"], "kv-host.%d" % i))
                    for i in (0, 1) if os.path.exists(os.path.join(os.environ["SD"], "kv-host.%d" % i))),
                   key=lambda x: x[1])
assert pool == 0 and e == {b"hk": b"host-value"}, (pool, gen, e)
PYEOF
# Damage the newest host file: reported, and the previous generation kept.
H=$P host_set hk newer
kill "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null
newest=$($PY -c 'import os,sys; from gdkv import *
fs=[os.path.join(sys.argv[1],"kv-host.%d"%i) for i in (0,1)]
print(max(fs, key=lambda f: read_pool_file(f)[1]))' "$SD")
printf 'X' | dd of="$newest" bs=1 seek=26 conv=notrunc status=none # a value byte
AGENT_LOG=$T/p.log start_agent "$P" --local-sock "$PL" --state-dir "$SD"
check_eq "damaged newest file: previous generation's value kept" host-value "$("$GUESTD" kv --socket "$PL" get hk)"
check_match "damage reported in INFO" "damaged: kv-host.[01]: bad checksum; using kv-host.[01]" "$(info_field "$P" kv_store_error)"
check_log "damage reported in the log" "damaged state file" "$T/p.log"
H=$P host_set hk repaired
kill "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null
: >"$T/p.log"
AGENT_LOG=$T/p.log start_agent "$P" --local-sock "$PL" --state-dir "$SD"
check_eq "after the next save all is clean" "repaired -" "$("$GUESTD" kv --socket "$PL" get hk) $(info_field "$P" kv_store_error)"
# A save that fails refuses the change and keeps the old value.
if chattr +i "$SD" 2>/dev/null; then
	H=$P $PY - <<'PYEOF' && ok "failed save: SET refused (internal), old value kept" || not_ok "failed save: SET refused (internal), old value kept"
import os
from gdkv import *
c = KV(os.environ["H"])
r = c.rpc("kv_set", req("host", "hk", b"lost"))
assert r["status"] == S["internal"] and b"create kv-host.tmp" in r["tlvs"][1], r
assert c.get("host", "hk") == b"repaired"
assert c.rpc("kv_set", req("host", "new", b"1"))["status"] == S["internal"]
assert c.get("host", "new") == S["not_found"]
PYEOF
	chattr -i "$SD"
	check_match "save failure in INFO" "saving the host pool" "$(info_field "$P" kv_store_error)"
else
	ok "# SKIP chattr +i not supported on this file system"
fi
done_testing
