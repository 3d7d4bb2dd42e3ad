#!/bin/bash
# The request path: the boot id is read once and stays right; reads stop at a
# short read, so a frame dribbled in byte by byte is still answered; a burst
# of more pipelined requests than the output buffer holds answers (about
# 100 pings) is answered in full, with or without a half-close after it.
source "$(dirname "$0")/../lib/lib.sh"
export PYTHONPATH=$TOP/tests/lib
S=$T/g.sock
start_agent "$S" || not_ok "agent starts"

check "ping's boot id is the kernel's, on the first and later pings" python3 -B - "$S" <<'PYEOF'
import sys
from gdproto import *
want = open("/proc/sys/kernel/random/boot_id").read().strip().encode()
c = Conn(sys.argv[1])
for i in range(1, 4):
    r = c.call(OP["ping"], id=i)
    assert r["status"] == S["ok"] and r["tlvs"][7] == want, r
r = Conn(sys.argv[1]).call(OP["info"], id=9)
assert r["tlvs"][7] == want, r
PYEOF

check "a frame sent one byte at a time is answered" python3 -B - "$S" <<'PYEOF'
import sys, time
from gdproto import *
c = Conn(sys.argv[1])
f = frame(OP["ping"], tlv(1000, b"abc"), id=77)
for b in f:
    c.send(bytes([b])); time.sleep(0.002)
r = c.recv_frame(); assert r["status"] == S["ok"] and r["id"] == 77, r
PYEOF

check "300 pipelined pings then a half-close: all answered, then EOF" python3 -B - "$S" <<'PYEOF'
import socket, sys
from gdproto import *
c = Conn(sys.argv[1])
c.send(b"".join(frame(OP["ping"], id=i) for i in range(1, 301)))
c.s.shutdown(socket.SHUT_WR)
ids = [c.recv_frame()["id"] for _ in range(300)]
assert ids == list(range(1, 301)), ids[:5]
assert c.recv_frame() is None
PYEOF

check "2000 pipelined pings in one write (over the output buffer) all answered" python3 -B - "$S" <<'PYEOF'
import sys
from gdproto import *
c = Conn(sys.argv[1])
c.send(b"".join(frame(OP["ping"], id=i) for i in range(1, 2001)))
ids = [c.recv_frame()["id"] for _ in range(2000)]
assert ids == list(range(1, 2001)), ids[:5]
assert c.call(OP["ping"], id=5000)["id"] == 5000
PYEOF
done_testing
