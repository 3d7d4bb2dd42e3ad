#!/bin/bash
# A closed slot's buffer pages go back to the kernel (agent/conn/conn.c,
# gd_conn_release): many native and QGA connections at once, each with
# traffic that touches several pages of its input buffer or its output
# queue (the largest frame, 64 pipelined INFOs, a 20 KiB JSON text,
# answers left unread), are seen present in /proc/PID/pagemap while open;
# once every one is closed (by its peer, after a failed write, by the
# frame deadline), no page of conn_bufs is present but for at most the
# first page of the input buffer and of the queue of the lowest free slot,
# the one the next newcomer takes. Slots used again afterwards answer
# PING, KV set and get, and guest-ping, and give their pages back when
# closed; the pages kept move to the new lowest free slot.
# shellcheck source=tests/lib/lib.sh
source "$(dirname "$0")/../lib/lib.sh"
export PYTHONPATH=$TOP/tests/lib

hdr() { grep -oP "#define $1 \\K[0-9]+" "$TOP/$2"; }
MAX_CONNS=$(hdr GD_MAX_CONNS agent/core/agent.h)
SERIAL=$(hdr GD_SLOTS_SERIAL libmini/slots.h)
DEADLINE_MS=4000
S=$T/native.sock Q=$T/qga.sock
start_agent "$S" --qga-unix "$Q" --frame-deadline-ms $DEADLINE_MS ||
	not_ok "agent starts" "$(tail -n 5 "$T/agent.log")"
wait_for_socket "$Q"
export S Q MAX_CONNS SERIAL DEADLINE_MS GUESTD PID=$AGENT_PID

$PY3 -B - >"$T/release.tap" <<'PYEOF'
import json, os, time
from gdproto import *
from gdkv import KV
from qga import Client
from pagemap import PAGE, load_base, present, symbols

HS, QS, pid = os.environ["S"], os.environ["Q"], os.environ["PID"]
GUESTD = os.environ["GUESTD"]
MAX_CONNS = int(os.environ["MAX_CONNS"])
DEADLINE = int(os.environ["DEADLINE_MS"]) / 1000


def tap(cond, name, diag=None):
    print(("ok - " if cond else "not ok - ") + name, flush=True)
    if not cond and diag is not None:
        print("#   %s" % (diag,), flush=True)
    return cond


base = load_base(pid, GUESTD)
bufs = [s for s in symbols(GUESTD, base) if s[2] == "conn_bufs"]
if not tap(len(bufs) == 1, "conn_bufs found in the binary's symbols", bufs):
    raise SystemExit(0)
lo, size, _ = bufs[0]
stride = size // MAX_CONNS


def per_slot():
    """{slot: pages present} of conn_bufs."""
    got = {}
    for pg in present(pid):
        if lo <= pg < lo + size:
            got[(pg - lo) // stride] = got.get((pg - lo) // stride, 0) + 1
    return got


WARM = 2   # the lowest free slot keeps its input's and its queue's first


def beyond_warm(got, lowest=0):
    """got without the lowest free slot's pages, if they are WARM or less."""
    rest = dict(got)
    if rest.get(lowest, 0) <= WARM:
        rest.pop(lowest, None)
    return rest


def settled(secs, lowest=0):
    """beyond_warm(per_slot()) once it is empty, or the last after secs."""
    end = time.monotonic() + secs
    while True:
        got = beyond_warm(per_slot(), lowest)
        if not got or time.monotonic() > end:
            return got
        time.sleep(0.05)


def rss_anon():
    for line in open("/proc/%s/status" % pid):
        if line.startswith("RssAnon:"):
            return int(line.split()[1])


tap(size % PAGE == 0 and stride % PAGE == 0 and lo % PAGE == 0,
    "each slot's buffers are whole pages of their own (%d bytes a slot)"
    % stride, (lo, size, stride))
tap(settled(3) == {}, "before any client, no page of conn_bufs present "
    "but slot 0's first %d at most (the start-up check's connection's)"
    % WARM, per_slot())

big = frame(OP["ping"], tlv(1000, b"x" * (MAX_PAYLOAD - 4)), id=1)
infos = b"".join(frame(OP["info"], id=2 + i) for i in range(64))
held = []   # (kind, socket-like)
for i in range(8):          # the largest frame, then 64 INFOs pipelined
    c = Conn(HS)
    c.send(big + infos)
    held.append(("read", c))
for i in range(4):          # 2,000 INFOs never read: the queue stays full
    c = Conn(HS)
    c.send(frame(OP["info"], id=9) * 2000)
    held.append(("unread", c))
partial = Conn(HS)           # half a frame: the deadline closes it
partial.send(big[:5000])
for i in range(2):          # QGA: a short text and a 20 KiB one
    q = Client(QS)
    q.send(b'{"execute":"guest-ping"}\n')
    assert q.line() == b'{"return": {}}\n'
    q.send(json.dumps({"execute": "guest-ping",
                       "arguments": {"pad": "x" * 20000}}).encode() + b"\n")
    assert b"error" in q.line()
    held.append(("qga", q))
for kind, c in held:
    if kind == "read":
        for i in range(65):
            f = c.recv_frame()
            assert f and f["status"] == 0, f
time.sleep(0.3)             # the unread ones' queues fill up
opened = per_slot()
print("# pages present per slot while %d clients were open: %s"
      % (len(held) + 1, sorted(opened.values())), flush=True)
tap(len(opened) == len(held) + 1, "every open client's slot has pages "
    "present (%d slots)" % len(opened), opened)
tap(sum(n >= 4 for n in opened.values()) >= len(held), "each slot that "
    "read the largest frame, queued 64 answers or a 20 KiB text holds 4 "
    "pages or more", opened)
anon_open = rss_anon()

for kind, c in held:
    c.close()
closed = settled(DEADLINE + 5)
tap(partial.recv_frame() is None, "the partial frame's connection was "
    "closed (by its deadline)")
partial.close()
tap(closed == {}, "once every client closed, no page of conn_bufs present "
    "but slot 0's first %d at most (RssAnon %d -> %d kB)"
    % (WARM, anon_open, rss_anon()), per_slot())

# Slots used again serve as if never used.
k = KV(HS)
r = k.rpc("ping")
tap(r["status"] == 0 and r["id"] == k.id, "a reused slot answers PING", r)
tap(k.set("host", "reused", b"value after reuse") == 0 and
    k.get("host", "reused") == b"value after reuse",
    "a reused slot does KV set and get")
r = k.rpc("ping")
tap(r["status"] == 0, "and PING again after them", r)
q = Client(QS)
tap(q.call(b'{"execute":"guest-ping"}\n') == {"return": {}},
    "a reused slot answers guest-ping")
q2 = Client(QS)
q2.send(b"\xff" + b"x" * 6000)  # skipped after the 0xFF, 2 pages of it
tap(q2.libvirt_sync(7), "a reused QGA slot resynchronises and answers")
k2 = Conn(HS)
k2.send(big)
f = k2.recv_frame()
tap(f and f["status"] == 0 and len(f["payload"]) > 0,
    "a reused slot takes the largest frame", f)
reopened = per_slot()
tap(len(reopened) == 4, "their slots have pages present again (%s)"
    % sorted(reopened.values()), reopened)
for c in (k, q, q2, k2):
    c.close()
tap(settled(5) == {}, "and none once they closed, but slot 0's first "
    "%d at most" % WARM, per_slot())

# The pages kept move with the lowest free slot: slot 0 held open, slot 1
# closes and keeps its first pages; slot 0 closes and takes that role.
a0, a1 = KV(HS), KV(HS)
for x in (a0, a1):
    x.send(big)
    assert x.recv_frame()["status"] == 0
a1.close()
end = time.monotonic() + 5
while set(beyond_warm(per_slot(), 1)) != {0} and time.monotonic() < end:
    time.sleep(0.05)
got = per_slot()
tap(set(beyond_warm(got, 1)) == {0} and got[0] >= 4, "slot 0 open, slot 1 "
    "closed: slot 1 keeps %d pages at most, slot 0 all it touched" % WARM,
    got)
a0.close()
tap(settled(5) == {} and 1 not in per_slot(), "slot 0 closed too: slot 1 "
    "gave its pages back, slot 0 keeps %d at most" % WARM, per_slot())
PYEOF
rc=$?
tap_include "$T/release.tap"
check_eq "the client ran to the end" 0 $rc
check_log "the deadline closed the partial frame" "frame not completed within $DEADLINE_MS ms" "$T/agent.log"
"$GUESTCTL" --unix "$S" ping >/dev/null
check_eq "agent still serving" 0 $?
check "agent still running" kill -0 "$AGENT_PID"
done_testing
