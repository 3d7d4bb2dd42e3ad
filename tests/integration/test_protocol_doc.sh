#!/bin/bash
# docs/protocol.md's test vectors: the hex blocks show exactly the bytes of
# tests/unit/vectors.h (dumped by test_codec), and a real guestd answers the
# request vectors as the response vectors say.
source "$(dirname "$0")/../lib/lib.sh"
PY="python3 -B"
export PYTHONPATH=$TOP/tests/lib
DOC=$TOP/docs/protocol.md
CODEC=${UNIT_DIR:-$TOP/build/unit}/test_codec
[[ $CODEC = /* ]] || CODEC=$TOP/$CODEC

# Every ```hex NAME block as "NAME HEX": text after '#' and spaces dropped.
doc_vectors() {
	awk '/^```hex /  { name = $2; hex = ""; next }
	     /^```/ && name != "" { print name, hex; name = ""; next }
	     name != "" { sub(/#.*/, ""); gsub(/[ \t]/, ""); hex = hex tolower($0) }' "$1"
}

dump=$("$CODEC" --dump-vectors | sort)
check "test_codec dumps the vectors" test -n "$dump"
check_eq "docs/protocol.md shows exactly the vectors of tests/unit/vectors.h" \
	"$dump" "$(doc_vectors "$DOC" | sort)"
check_eq "every vector appears once in the doc" \
	"$(echo "$dump" | wc -l)" "$(grep -c '^```hex ' "$DOC")"

# The checker must catch a changed byte and a missing block.
sed '0,/^47 44 01 00 01 00/s//47 44 01 00 01 01/' "$DOC" >"$T/bad.md"
check "a changed byte in the doc is caught" \
	test "$dump" != "$(doc_vectors "$T/bad.md" | sort)"
awk '/^```hex ping_req/ {skip = 1} !skip {print} skip && /^```$/ {skip = 0}' \
	"$DOC" >"$T/short.md"
check "a missing block is caught" \
	test "$dump" != "$(doc_vectors "$T/short.md" | sort)"

S=$T/g.sock
start_agent "$S" || not_ok "agent starts"
echo "$dump" >"$T/vectors.txt"
check "a real guestd answers the request vectors as the doc says" \
	$PY - "$S" "$T/vectors.txt" <<'PYEOF'
import os, struct, sys
from gdproto import *
v = {}
for line in open(sys.argv[2]):
    name, hexbytes = line.split()
    v[name] = bytes.fromhex(hexbytes)

def raw(r):
    return frame(r["op"], r["payload"], id=r["id"], flags=r["flags"],
                 status=r["status"])

def types(payload):
    out, off = [], 0
    while off < len(payload):
        t, n = struct.unpack_from("<HH", payload, off)
        out.append(t)
        off += 4 + n
    return out

def parse(b):
    _, _, flags, op, status, id, n, _ = struct.unpack_from("<2sBBHHIHH", b)
    payload = b[HDR:HDR + n]
    return dict(op=op, status=status, id=id, flags=flags, payload=payload,
                tlvs=parse_tlvs(payload))

def same_shape(got, want_bytes, optional=()):
    w = parse(want_bytes)
    for k in ("op", "id", "flags", "status"):
        assert got[k] == w[k], (k, got, w)
    wt = [t for t in types(w["payload"]) if t in types(got["payload"]) or t not in optional]
    # TLVs of later features (types 20-139, docs/<topic>.md) may be added
    gt = [t for t in types(got["payload"]) if not 20 <= t < 140 or t in wt]
    assert gt == wt, (types(got["payload"]), wt)
    return w

c = Conn(sys.argv[1])
# Byte-exact answers.
c.send(v["unknown_op_req"])
assert raw(c.recv_frame()) == v["unknown_op_resp"]
c.send(v["bad_crc"] + v["too_big_req"] + b"p" * (MAX_PAYLOAD + 1))
assert raw(c.recv_frame()) == v["bad_frame_resp"]
assert raw(c.recv_frame()) == v["too_big_resp"]
# Same fields in the same order; fixed values equal.
c.send(v["hello_req"])
r = c.recv_frame()
w = same_shape(r, v["hello_resp"])
for t in (2, 14):  # PROTO_VERSION, MAX_PAYLOAD (CAPS and version may grow)
    assert r["tlvs"][t] == w["tlvs"][t], t
c.send(v["ping_req"])
r = c.recv_frame()
same_shape(r, v["ping_resp"])
boot_id = open("/proc/sys/kernel/random/boot_id").read().strip()
assert r["tlvs"][7].decode() == boot_id
c.send(v["info_req"])
r = c.recv_frame()
same_shape(r, v["info_resp"], optional=(10,))
u = os.uname()
assert r["tlvs"][8].decode() == u.release and r["tlvs"][15].decode() == u.machine
assert r["tlvs"][9].decode() == u.nodename
PYEOF
done_testing
