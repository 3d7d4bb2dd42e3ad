#!/bin/bash
# Hostile clients: the whole-frame deadline (slowloris) without delaying
# others, slot exhaustion answered with BUSY at once, a 10,000-connection
# burst with VmRSS unchanged, and each bad input's error code.
source "$(dirname "$0")/../lib/lib.sh"
PY="python3 -B"
export PYTHONPATH=$TOP/tests/lib

# frame-deadline-ms bounds: 100..600000 (tested at and past each end).
"$GUESTD" --no-vsock --frame-deadline-ms 99 --unix "$T/x.sock" 2>/dev/null
check_eq "frame-deadline-ms 99 refused: exit 2" 2 $?
"$GUESTD" --no-vsock --frame-deadline-ms 600001 --unix "$T/x.sock" 2>/dev/null
check_eq "frame-deadline-ms 600001 refused: exit 2" 2 $?
for ms in 100 600000; do
	start_agent "$T/d$ms.sock" --frame-deadline-ms $ms
	check "frame-deadline-ms $ms accepted" "$GUESTCTL" --unix "$T/d$ms.sock" ping
	kill "$AGENT_PID"
done

S=$T/h.sock
start_agent "$S" --frame-deadline-ms 1000 --log-level debug || not_ok "agent starts"
PID=$AGENT_PID

check "slow client closed after 1000 ms while another is served without delay" $PY - "$S" <<'PYEOF'
import sys, threading, time
from gdproto import *
path = sys.argv[1]
ping = frame(OP["ping"], id=1)
lat, closed_after = [], []

def slow():
    c = Conn(path, timeout=5)
    t0 = time.monotonic()
    for b in ping[:-1]:              # never the last byte: never whole
        try:
            c.send(bytes([b]))
        except OSError:
            break
        time.sleep(0.05)
    c.s.settimeout(3)
    r = c.recv_frame()               # EOF when the agent closes it
    closed_after.append((time.monotonic() - t0, r))

th = threading.Thread(target=slow); th.start()
fast = Conn(path)
t_end = time.monotonic() + 1.6
n = 0
while time.monotonic() < t_end:
    t = time.monotonic()
    r = fast.call(OP["ping"], id=n); n += 1
    assert r["status"] == 0
    lat.append(time.monotonic() - t)
    time.sleep(0.01)
th.join()
dt, r = closed_after[0]
print("# slow client closed after %.3f s; %d pings meanwhile, max %.1f ms"
      % (dt, len(lat), max(lat) * 1000))
assert r is None, r
assert 1.0 <= dt < 1.6, dt
assert max(lat) < 0.25, max(lat)
PYEOF
check_log "deadline logged" "frame not completed within 1000 ms" "$T/agent.log"

check "a slow client whose every frame is whole in time is kept" $PY - "$S" <<'PYEOF'
import sys, time
from gdproto import *
c = Conn(sys.argv[1])
t0 = time.monotonic()
for i in range(3):                   # 3 frames, each over ~0.6 s: 1.8 s in all
    for b in frame(OP["ping"], id=i):
        c.send(bytes([b])); time.sleep(0.6 / 16)
    r = c.recv_frame(); assert r and r["status"] == 0 and r["id"] == i, r
assert time.monotonic() - t0 > 1.5
PYEOF

check "a header whose payload never comes is closed too" $PY - "$S" <<'PYEOF'
import sys, time
from gdproto import *
c = Conn(sys.argv[1])
c.send(frame(OP["ping"], b"", length=100) + b"abc")
t0 = time.monotonic()
assert c.recv_frame() is None
assert 0.9 <= time.monotonic() - t0 < 1.6
PYEOF

check "a client that never reads its answers is closed after the deadline" $PY - "$S" <<'PYEOF'
import socket, sys, time
from gdproto import *
path = sys.argv[1]
c = Conn(path)
c.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
c.s.setblocking(False)
sent = 0
# INFO requests until both buffers are full, each whole or not at all: a
# request cut in half would give guestd a partial frame, whose deadline
# could close the connection first, for another reason.
end = time.monotonic() + 5
while sent < 20000 and time.monotonic() < end:
    f = frame(OP["info"], id=sent)
    try:
        n = c.s.send(f)
    except BlockingIOError:
        time.sleep(0.05)              # guestd may still be answering
        try:
            n = c.s.send(f)
        except BlockingIOError:
            break
    assert n == len(f), "a request was cut (%d of %d bytes)" % (n, len(f))
    sent += 1
t0 = time.monotonic()
other = Conn(path)
assert other.call(OP["ping"], id=1)["status"] == 0
time.sleep(1.3)                       # deadline 1 s, counted from the stall
c.s.settimeout(5)
got = 0
try:
    while c.recv_frame() is not None:
        got += 1
except ConnectionResetError:
    pass
print("# sent %d requests, read %d answers, then the agent had closed it" % (sent, got))
assert got < sent, (got, sent)
assert other.call(OP["ping"], id=2)["status"] == 0
PYEOF
check_log "stall logged" "answers not read within 1000 ms" "$T/agent.log"

check "slots full: the next connection gets BUSY at once, the others are undisturbed" $PY - "$S" <<'PYEOF'
import sys, time
from gdproto import *
# root may hold every slot but the two kept for the serial ports
# (GD_MAX_CONNS 32 - GD_SLOTS_SERIAL 2); served and just active, none of
# them gives way to a newcomer (GD_EVICT_QUIET_MS)
ROOT_SLOTS = 30
path = sys.argv[1]
cs = [Conn(path) for _ in range(ROOT_SLOTS)]
for i, c in enumerate(cs):
    assert c.call(OP["ping"], id=i)["status"] == 0
t0 = time.monotonic()
extra = Conn(path)
r = extra.recv_frame()
dt = time.monotonic() - t0
assert r["status"] == S["busy"] and r["id"] == 0, r
assert b"slots" in r["tlvs"][1], r
assert extra.recv_frame() is None          # and closed
print("# BUSY after %.1f ms" % (dt * 1000))
assert dt < 0.25, dt
for i, c in enumerate(cs):
    assert c.call(OP["ping"], id=100 + i)["status"] == 0
cs.pop().close()
time.sleep(0.05)
again = Conn(path)
assert again.call(OP["ping"], id=7)["status"] == 0
PYEOF

check "a flooding client does not stall another; only a flood that never makes a frame is cut off" $PY - "$S" <<'PYEOF'
import sys, threading, time
from gdproto import *
path = sys.argv[1]
def flood(data, secs, result):
    c = Conn(path)
    def drain():
        try:
            while c.s.recv(65536): pass
        except OSError: pass
    threading.Thread(target=drain, daemon=True).start()
    stop = time.monotonic() + secs
    try:
        while time.monotonic() < stop:
            c.s.sendall(data)
        result.append("open")
    except OSError:
        result.append("closed")
    c.close()
# 1.5 s of each, with the frame deadline at 1 s.
for name, chunk, want in [("pipelined pings", frame(OP["ping"]) * 500, "open"),
                          ("zero bytes", b"\0" * 8192, "open"),
                          ("bad headers", b"GD" * 4096, "closed")]:
    result = []
    th = threading.Thread(target=flood, args=(chunk, 1.5, result)); th.start()
    p, lat = Conn(path), []
    while th.is_alive():
        t = time.monotonic()
        assert p.call(OP["ping"])["status"] == 0
        lat.append(time.monotonic() - t)
        time.sleep(0.01)
    th.join()
    print("# %-16s flood: %s; %d pings meanwhile, max %.1f ms"
          % (name, result[0], len(lat), max(lat) * 1e3))
    assert result[0] == want, (name, result)
    assert max(lat) < 0.15, (name, max(lat))
PYEOF

# Every bad input gets its own error; the connection stays usable unless the
# frame claims a session it does not have (then it is closed).
check "each bad input's error code" $PY - "$S" <<'PYEOF'
import sys
from gdproto import *
path = sys.argv[1]
cases = [
    ("garbage", b"\x00\x01garbage\xff", "bad_frame", True),
    ("bad header CRC", frame(OP["ping"])[:14] + b"\0\0", "bad_frame", True),
    ("version 2", frame(OP["ping"], version=2), "bad_version", True),
    ("version 0", frame(OP["ping"], version=0), "bad_version", True),
    ("unknown flag 0x80", frame(OP["ping"], flags=0x80), "bad_flags", True),
    ("RESPONSE flag", frame(OP["ping"], flags=F_RESPONSE), "bad_flags", True),
    ("EVENT flag", frame(OP["ping"], flags=F_EVENT), "bad_flags", True),
    ("length 8193", frame(OP["ping"], b"y" * 8193), "too_big", True),
    ("length 65535", frame(OP["ping"], b"", length=65535), "too_big", False),
    ("unknown op 999", frame(999), "unknown_op", True),
    ("unknown op 0", frame(0), "unknown_op", True),
    ("TLV past the payload", frame(OP["hello"], b"\x02\x00\x09\x00ab"), "bad_tlv", True),
    ("half a TLV header", frame(OP["ping"], b"\x01\x00"), "bad_tlv", True),
    ("u16 TLV of 1 byte", frame(OP["hello"], tlv(2, b"\x01")), "bad_tlv", True),
    ("protocol version 0", frame(OP["hello"], tlv(2, b"\0\0")), "bad_version", True),
    ("31-byte AUTH_NONCE", frame(OP["hello"], tlv(80, b"n" * 31)), "bad_tlv", True),
    ("AUTH_PROOF, no key", frame(OP["hello"], tlv(81, b"p" * 32)), "bad_value", True),
    ("MAC without a session", frame(OP["ping"], flags=F_MAC) + b"m" * 32, "auth_failed", False),
]
for name, data, want, stays in cases:
    c = Conn(path)
    # "length 65535" announces a payload that never comes: send none.
    c.send(data)
    r = c.recv_frame()
    assert r and r["status"] == S[want] and r["flags"] & F_RESPONSE, (name, r)
    assert 1 in r["tlvs"] and len(r["tlvs"][1]) > 5, (name, "no message", r)
    print("# %-24s -> %s: %s" % (name, want, r["tlvs"][1].decode()))
    if stays:
        r = c.call(OP["ping"], id=77)
        assert r and r["status"] == 0 and r["id"] == 77, (name, "not usable", r)
    elif want == "auth_failed":
        assert c.recv_frame() is None, (name, "not closed")
    c.close()
PYEOF

check "bad input x200 and 10,000 connections: guestd serving, VmRSS unchanged" $PY - "$S" "$PID" <<'PYEOF'
import errno, os, socket, sys, time
from gdproto import *
from pagemap import present, named
path, pid = sys.argv[1], sys.argv[2]
def rss_kb():
    for line in open("/proc/%s/status" % pid):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
bad = [b"\x00garbage", frame(OP["ping"], version=2), frame(999),
       frame(OP["ping"], b"y" * 8193), frame(OP["hello"], b"\x02\x00\x09\x00ab"),
       frame(OP["ping"], flags=F_MAC) + b"m" * 32, frame(OP["ping"], tlv(1000, b"x" * 8188))]
def hostile_round(n):
    for i in range(n):
        c = Conn(path)
        c.send(bad[i % len(bad)])
        c.recv_frame()
        c.close()
def burst(n, keep=200):
    """n connections, up to keep open at once, some sending junk."""
    attempts = refused = 0
    held = []
    for i in range(n):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.setblocking(False)
        attempts += 1
        while True:
            try:
                s.connect(path)
                break
            except OSError as e:           # backlog full: let guestd catch up
                assert e.errno in (errno.EAGAIN, errno.ECONNREFUSED), e
                refused += 1
                time.sleep(0.001)
        try:
            if i % 3 == 1:
                s.send(b"GD\x01")          # a partial header
            elif i % 3 == 2:
                s.send(b"\xff" * 64)       # garbage
        except OSError as e:               # already answered BUSY and closed
            assert e.errno in (errno.EPIPE, errno.ECONNRESET), e
        held.append(s)
        if len(held) >= keep:
            for h in held: h.close()
            held = []
    for h in held: h.close()
    return attempts, refused
# Warm up every slot root may hold (32 - 2 serial) with a largest frame.
cs = [Conn(path) for _ in range(30)]
for c in cs:
    assert c.call(OP["ping"], tlv(1000, b"x" * 8188))["status"] == 0
for c in cs: c.close()
hostile_round(50); burst(2000)
time.sleep(0.3)
watch = Conn(path)
before, pages_before = rss_kb(), present(pid)
hostile_round(200)
attempts, refused = burst(10000)
time.sleep(0.5)
after = rss_kb()
for line in named(present(pid) - pages_before, os.environ["GUESTD"]):
    print("# first touched after the warm-up: " + line)
r = watch.call(OP["ping"], id=5)
assert r and r["status"] == 0, r
fresh = Conn(path)
assert fresh.call(OP["info"], id=6)["status"] == 0
print("# %d connections (%d retries on a full backlog); VmRSS %d kB before, %d kB after"
      % (attempts, refused, before, after))
assert attempts == 10000
assert after - before <= 8, (before, after)   # at most 2 pages
PYEOF
check "agent still running" kill -0 "$PID"
done_testing
