#!/bin/bash
# Authentication (docs/auth.md): key files, guestctl keygen/--key-file, and
# the agent refusing unauthenticated, altered, replayed, reordered,
# cross-session and wrong-key frames with the connection closed.
source "$(dirname "$0")/../lib/lib.sh"
PY="python3 -B"
export PYTHONPATH=$TOP/tests/lib

K=$T/guestd.key
check "keygen writes a key" "$GUESTCTL" keygen "$K"
check_eq "key file is mode 0600" "600" "$(stat -c %a "$K")"
check_match "key file is 64 hex digits" '^[0-9a-f]{64}$' "$(cat "$K")"
out=$("$GUESTCTL" keygen "$K" 2>&1); rc=$?
check_eq "keygen refuses to overwrite: exit 2" 2 $rc
check_match "keygen says why" "already exists" "$out"
"$GUESTCTL" keygen "$T/k2" >/dev/null
check "two keygens give different keys" test "$(cat "$K")" != "$(cat "$T/k2")"

# Key files the agent must refuse (non-PID-1 guestd exits 1, saying why).
printf '%s\n' "$(cat "$K")" >"$T/open.key"; chmod 644 "$T/open.key"
head -c 31 /dev/urandom >"$T/short.key"; chmod 600 "$T/short.key"
for bad in open.key short.key missing.key; do
	out=$("$GUESTD" --no-vsock --config /nonexistent --cmdline /nonexistent \
		--unix "$T/bad.sock" --key-file "$T/$bad" 2>&1); rc=$?
	check_eq "guestd refuses $bad: exit 1" 1 $rc
done
check_match "world-readable key: clear error" "group or others may access it" \
	"$("$GUESTD" --no-vsock --config /nonexistent --unix "$T/bad.sock" --key-file "$T/open.key" 2>&1)"
"$GUESTCTL" --key-file "$T/open.key" --unix "$T/none.sock" ping 2>/dev/null
check_eq "guestctl refuses a world-readable key: exit 2" 2 $?
head -c 32 /dev/urandom >"$T/raw.key"; chmod 600 "$T/raw.key"

S=$T/a.sock
start_agent "$S" --key-file "$K" || not_ok "agent with a key starts"
check "guestctl --key-file ping" "$GUESTCTL" --key-file "$K" --unix "$S" ping
out=$("$GUESTCTL" --key-file "$K" --unix "$S" --json info)
check_match "info over an authenticated session lists the auth capability" '"ok":true.*"auth"' "$out"
out=$("$GUESTCTL" --unix "$S" ping 2>&1); rc=$?
check_eq "no key: exit 1" 1 $rc
check_match "no key: auth-required" "auth-required.*--key-file" "$out"
out=$("$GUESTCTL" --key-file "$T/k2" --unix "$S" ping 2>&1); rc=$?
check_eq "wrong key: exit 1" 1 $rc
check_match "wrong key: auth-failed" "auth-failed.*wrong key" "$out"
check "a fleet of 3 targets authenticates each" "$GUESTCTL" --key-file "$K" \
	--unix "$S" --unix "$S" --unix "$S" ping

check "the wire rules, byte by byte" $PY - "$S" "$K" "$T/k2" <<'PYEOF'
import sys
from gdproto import *
from gdauth import *
path = sys.argv[1]
key = bytes.fromhex(open(sys.argv[2]).read().strip())
other = bytes.fromhex(open(sys.argv[3]).read().strip())

def closed(c):
    return c.recv_frame() is None

# Without a session only HELLO is served; the connection stays usable.
c = AuthConn(path)
for op in ("ping", "info", "shutdown", "kv_get"):
    r = c.call(OP[op], id=3)
    assert r["status"] == S["auth_required"] and not r["flags"] & F_MAC, (op, r)
r = c.call(OP["hello"], tlv(2, b"\x01\x00"), id=4)
assert r["status"] == 0 and struct.unpack("<I", r["tlvs"][3])[0] & 0x20, r
assert T_AUTH_NONCE not in r["tlvs"]
# The right key: the answer to the proof is MAC'd, so is everything after.
r = c.authenticate(key)
assert r["status"] == 0 and r["flags"] & F_MAC and r["mac_ok"], r
for i in range(5):
    r = c.scall(OP["ping"], id=10 + i)
    assert r["status"] == 0 and r["id"] == 10 + i and r["mac_ok"], r
r = c.scall(999, id=20)            # errors on a session are MAC'd too
assert r["status"] == S["unknown_op"] and r["mac_ok"], r
keep = c                           # stays open: unharmed by the others below

def session():
    c = AuthConn(path)
    assert c.authenticate(key)["mac_ok"]
    return c

def refused(c, data, what):
    c.send(data)
    r = c.recv_frame()
    assert r and r["status"] == S["auth_failed"], (what, r)
    assert r["mac_ok"] is True, (what, "error not MAC'd", r)
    assert closed(c), (what, "not closed")
    print("# %-28s -> auth-failed: %s" % (what, r["tlvs"][1].decode()))

# A flipped bit anywhere: payload, MAC, header (CRC fixed up to pass).
for where in ("payload", "mac", "header id"):
    c = session()
    f = bytearray(c.seal(OP["ping"], tlv(1, "hello"), id=1))
    if where == "payload": f[HDR + 5] ^= 0x01
    if where == "mac": f[-1] ^= 0x80
    if where == "header id":
        f[8] ^= 0x01
        f[14:16] = struct.pack("<H", crc16(bytes(f[:14])))
    refused(c, bytes(f), "flipped bit in " + where)
c = session()                      # a flipped header bit without the CRC fix
f = bytearray(c.seal(OP["ping"], id=1)); f[5] ^= 1
refused(c, bytes(f), "flipped bit, header CRC bad")
# Replayed, reordered, reflected, cross-session, MAC stripped.
c = session()
f0 = c.seal(OP["ping"], id=1)
c.send(f0); assert c.recv_frame()["mac_ok"]
refused(c, f0, "replayed frame")
c = session()
f0, f1 = c.seal(OP["ping"], id=1), c.seal(OP["ping"], id=2)
refused(c, f1 + f0, "reordered frames")
c = session()
r = c.scall(OP["ping"], id=1)
refused(c, r["raw"] + r["mac"], "agent's own frame reflected")
a, b = session(), session()
refused(b, a.seal(OP["ping"], id=1), "frame from another session")
c = session()
refused(c, frame(OP["ping"], id=1), "frame without MAC")
c = session()
refused(c, b"garbage!" + c.seal(OP["ping"]), "garbage on a session")
# Wrong key; a proof replayed into a new session; proof before nonce.
c = AuthConn(path)
r = c.authenticate(other)
assert r["status"] == S["auth_failed"] and not r["flags"] & F_MAC, r
assert b"wrong key" in r["tlvs"][1] and closed(c)
first = AuthConn(path)
first.authenticate(key)
c = AuthConn(path)
c.send(hello_nonce(first.cn))      # same client nonce, new agent nonce
r = c.recv_frame(); assert r["tlvs"][T_AUTH_NONCE] != first.sn
c.send(hello_proof(client_proof(key, first.cn, first.sn)))
r = c.recv_frame()
assert r["status"] == S["auth_failed"] and closed(c), r
c = AuthConn(path)
c.send(hello_proof(b"\0" * 32))
r = c.recv_frame()
assert r["status"] == S["auth_failed"] and closed(c), r
# A MAC'd frame on a connection that never authenticated.
c = AuthConn(path)
c.send(frame(OP["ping"], flags=F_MAC) + b"\0" * 32)
r = c.recv_frame(); assert r["status"] == S["auth_failed"] and closed(c), r
# Through all of it the first session was never disturbed.
r = keep.scall(OP["info"], id=99)
assert r["status"] == 0 and r["mac_ok"], r
PYEOF

kill "$AGENT_PID"
start_agent "$T/raw.sock" --key-file "$T/raw.key"
check "a raw 32-byte key works on both sides" "$GUESTCTL" --key-file "$T/raw.key" --unix "$T/raw.sock" ping
kill "$AGENT_PID"

start_agent "$T/open.sock"
out=$("$GUESTCTL" --key-file "$K" --unix "$T/open.sock" ping 2>&1); rc=$?
check_eq "--key-file against an agent without a key: refused, exit 5" 5 $rc
check_match "and says why" "does not authenticate" "$out"
check "without a key HELLO's AUTH_NONCE is ignored, no auth capability" $PY - "$T/open.sock" <<'PYEOF'
import sys, os
from gdproto import *
from gdauth import *
c = AuthConn(sys.argv[1])
c.send(hello_nonce(os.urandom(32)))
r = c.recv_frame()
assert r["status"] == 0 and T_AUTH_NONCE not in r["tlvs"], r
assert not struct.unpack("<I", r["tlvs"][3])[0] & 0x20
assert c.call(OP["ping"])["status"] == 0
PYEOF
kill "$AGENT_PID"

# KV with a key: guest processes on the guest-local socket need none (they
# are not the host); the host's KV needs the key, and the events a watcher
# gets are MAC'd like every other frame.
L=$T/local.sock
AGENT_LOG=$T/kv.log start_agent "$T/kv.sock" --key-file "$K" --local-sock "$L"
"$GUESTCTL" --unix "$T/kv.sock" kv get --pool guest x >/dev/null 2>&1
check_eq "host KV without the key: exit 1" 1 $?
"$GUESTCTL" --key-file "$K" --unix "$T/kv.sock" kv wait --for 3000 ready >"$T/w" 2>&1 & wpid=$!
sleep 0.3
check "a guest process sets a key without the key file" "$GUESTD" kv --socket "$L" set ready yes
wait $wpid
check_eq "guestctl --key-file kv wait: the MAC'd event arrives" "0 yes" "$? $(cat "$T/w")"
check "guestctl --key-file kv set" "$GUESTCTL" --key-file "$K" --unix "$T/kv.sock" kv set motd hi
check_eq "the guest reads it" "hi" "$("$GUESTD" kv --socket "$L" get motd 2>&1)"
done_testing
