#!/bin/bash
# Time service on the development machine: TIME_GET stamps and guestctl's
# measurement against the real clocks, TIME_SET validation and refusal.
#
# This machine's clock must never be set. The agent runs without
# CAP_SYS_TIME (dropped from its bounding set), which the test verifies in
# /proc before it sends a single TIME_SET; every TIME_SET below is either
# refused by validation, refused by the kernel (EPERM), or a zero
# correction the agent does not act on. Real setting: tests/e2e/test_time.sh.
source "$(dirname "$0")/../lib/lib.sh"
PY="python3 -B"
export PYTHONPATH=$TOP/tests/lib
CAP_SYS_TIME=25

# start_agent without CAP_SYS_TIME (root drops it; others never had it).
start_agent_nocap() {
	local sock=$1 drop=()
	shift
	[ "$(id -u)" != 0 ] || drop=(setpriv --bounding-set -sys_time --inh-caps -sys_time --)
	"${drop[@]}" "$GUESTD" --no-vsock --config /nonexistent --cmdline /nonexistent --local-sock "" \
		--unix "$sock" "$@" >>"$T/agent.log" 2>&1 &
	AGENT_PID=$!
	_pids+=("$AGENT_PID")
	wait_for_socket "$sock"
}

# has_cap PID SET(CapEff|CapBnd|CapPrm) BIT
has_cap() {
	local hex
	hex=$(awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status")
	[ -n "$hex" ] && (( (16#$hex >> $3) & 1 ))
}

S=$T/t.sock
start_agent_nocap "$S" || not_ok "agent starts"
safe=1
for set in CapEff CapPrm CapBnd; do
	if has_cap "$AGENT_PID" $set $CAP_SYS_TIME; then safe=0; fi
done
if [ $safe = 1 ]; then
	ok "agent runs without CAP_SYS_TIME"
else
	not_ok "agent runs without CAP_SYS_TIME" "refusing to send TIME_SET to it"
	done_testing
	exit 1
fi

check_match "capabilities include time and events" "capabilities +.*time.*events" \
	"$("$GUESTCTL" --unix "$S" info)"

# guestctl time: same clock on both sides, so the true offset is 0 and
# must lie within offset +- round_trip/2.
out=$("$GUESTCTL" --unix "$S" --json time)
check "guestctl time: offset within +-delay/2 of 0, 8 samples" $PY -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["ok"] and d["command"] == "time", d
assert d["samples"] == 8 and d["valid_samples"] == 8, d
assert 0 < d["delay_ns"] < 50_000_000, d
assert abs(d["offset_ns"]) <= d["delay_ns"] // 2 + 1, d
assert d["slew_left_ns"] == 0, d
' "$out"
human=$("$GUESTCTL" --unix "$S" time)
check_match "human output: offset and round trip" "offset +[+-][0-9]+\.[0-9]{6} ms.*round_trip +[0-9]+\.[0-9]{6} ms" "$(echo $human)"
check_match "human output: guest realtime in UTC" "guest_realtime +20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{9}Z" "$human"

"$GUESTCTL" --unix "$S" time --samples 64 >/dev/null; check_eq "--samples 64 (the limit)" 0 $?
"$GUESTCTL" --unix "$S" time --samples 65 2>/dev/null; check_eq "--samples 65: usage error" 2 $?
"$GUESTCTL" --unix "$S" time --samples 0 2>/dev/null; check_eq "--samples 0: usage error" 2 $?
"$GUESTCTL" --unix "$S" time --rtc 2>/dev/null; check_eq "--rtc without sync: usage error" 2 $?
"$GUESTCTL" --unix "$S" time sync --mode fast 2>/dev/null; check_eq "--mode fast: usage error" 2 $?
"$GUESTCTL" --unix "$S" time sync --interval 5 2>/dev/null; check_eq "--interval without --watch: usage error" 2 $?
"$GUESTCTL" --unix "$T/none.sock" time sync --watch --interval 86400 2>/dev/null
check_eq "--interval 86400 (the limit) parses, then no agent: exit 3" 3 $?
"$GUESTCTL" --unix "$S" time sync --watch --interval 86401 2>/dev/null; check_eq "--interval 86401: usage error" 2 $?

out=$("$GUESTCTL" --unix "$S" --json time sync 2>/dev/null); rc=$?
check_eq "time sync without CAP_SYS_TIME: exit 1" 1 $rc
check_match "time sync: not-permitted, says why" '"status":"not-permitted".*CAP_SYS_TIME' "$out"

check "TIME_GET stamps against the host clocks: t1 <= t2 <= realtime <= t3 <= t4" $PY - "$S" <<'PYEOF'
import sys, struct, time
from gdproto import *
u = lambda r, t: struct.unpack("<Q", r["tlvs"][t])[0]
RECV, SEND, REAL, MONO, BOOT, SLEW = 43, 44, 40, 41, 42, 53
c = Conn(sys.argv[1])
for i in range(50):
    m1 = time.clock_gettime_ns(time.CLOCK_MONOTONIC)
    b1 = time.clock_gettime_ns(time.CLOCK_BOOTTIME)
    t1 = time.time_ns()
    r = c.call(OP["time_get"], id=i + 1)
    t4 = time.time_ns()
    m4 = time.clock_gettime_ns(time.CLOCK_MONOTONIC)
    b4 = time.clock_gettime_ns(time.CLOCK_BOOTTIME)
    assert r["status"] == 0 and r["id"] == i + 1, r
    t2, t3, real = u(r, RECV), u(r, SEND), u(r, REAL)
    assert t1 <= t2 <= real <= t3 <= t4, (t1, t2, real, t3, t4)
    assert m1 <= u(r, MONO) <= m4 and b1 <= u(r, BOOT) <= b4, r
    assert len(r["tlvs"][SLEW]) == 8, r
PYEOF

check "100 pipelined TIME_GETs: answered in order, stamps causal and ordered" $PY - "$S" <<'PYEOF'
import sys, struct, time
from gdproto import *
u = lambda r, t: struct.unpack("<Q", r["tlvs"][t])[0]
c = Conn(sys.argv[1])
t1 = time.time_ns()
c.send(b"".join(frame(OP["time_get"], id=i) for i in range(1, 101)))
rs = [c.recv_frame() for _ in range(100)]
t4 = time.time_ns()
assert [r["id"] for r in rs] == list(range(1, 101))
t2 = [u(r, 43) for r in rs]; t3 = [u(r, 44) for r in rs]; real = [u(r, 40) for r in rs]
assert all(t1 <= a <= t4 for a in t2 + t3), "stamps outside the exchange"
assert t2 == sorted(t2) and t3 == sorted(t3), "stamps out of order"
assert all(a <= b <= c for a, b, c in zip(t2, real, t3)), "t2 <= realtime <= t3"
PYEOF

check "a reader that stalls 300 ms: the send stamp is taken when the answer leaves" $PY - "$S" <<'PYEOF'
import sys, struct, time
from gdproto import *
u = lambda r, t: struct.unpack("<Q", r["tlvs"][t])[0]
c = Conn(sys.argv[1], timeout=20)
n = 4000   # 400 KB of answers: more than the socket holds
c.send(b"".join(frame(OP["time_get"], id=i) for i in range(1, n + 1)))
time.sleep(0.3)
rs = [c.recv_frame() for _ in range(n)]
assert [r["id"] for r in rs] == list(range(1, n + 1))
# some answer was built (realtime read) before the stall and written after
late = max(u(r, 44) - u(r, 40) for r in rs)
assert late > 200_000_000, "largest t3 - handler time: %d ns" % late
assert all(u(r, 43) <= u(r, 40) <= u(r, 44) for r in rs)
PYEOF

check "TIME_GET: RTC reading, bad TLVs" $PY - "$S" <<'PYEOF'
import sys, struct, os
from gdproto import *
c = Conn(sys.argv[1])
r = c.call(OP["time_get"], tlv(48, b"\x01"))
assert r["status"] == 0, r
if os.path.exists("/dev/rtc0"):
    assert 50 in r["tlvs"] or r["tlvs"].get(49) == b"\x03", r
else:
    assert r["tlvs"][49] == b"\x02" and 50 not in r["tlvs"], r   # absent
r = c.call(OP["time_get"], tlv(48, b"\x02")); assert r["status"] == S["bad_value"], r
r = c.call(OP["time_get"], tlv(48, b"\x01\x00")); assert r["status"] == S["bad_tlv"], r
PYEOF

check "TIME_SET: validation at and past every limit (the kernel refuses the rest)" $PY - "$S" <<'PYEOF'
import sys, struct, time
from gdproto import *
c = Conn(sys.argv[1])
u64 = lambda t, v: tlv(t, struct.pack("<Q", v))
u8 = lambda t, v: tlv(t, bytes([v]))
HOST, REF, MODE, RTC = 45, 46, 47, 48
HOST_MIN = 946684800 * 10**9
LIMIT = 1 << 62
SEC = 10**9
def st(payload, want, text=None):
    r = c.call(OP["time_set"], payload)
    assert r["status"] == S[want], (want, r)
    if text:
        assert text in r["tlvs"][1].decode(), r
    return r
st(b"", "missing_field", "TIME_HOST")
st(tlv(HOST, struct.pack("<I", 5)), "bad_tlv")
st(u64(HOST, HOST_MIN - 1), "bad_value", "between 2000 and 2116")
st(u64(HOST, HOST_MIN), "not_permitted", "CAP_SYS_TIME")
st(u64(HOST, LIMIT), "bad_value")
st(u64(HOST, LIMIT - 1), "not_permitted")
now = time.time_ns()
st(u64(HOST, now) + u8(MODE, 3), "bad_value", "mode")
st(u64(HOST, now) + tlv(MODE, b"\x00\x00"), "bad_tlv")
st(u64(HOST, now) + u8(RTC, 2), "bad_value")
st(u64(HOST, now) + u64(REF, time.time_ns() + 5 * SEC), "bad_value", "future")
st(u64(HOST, now) + u64(REF, time.time_ns() - 10 * SEC - SEC // 10), "bad_value", "older")
st(u64(HOST, now + 1) + u64(REF, time.time_ns() - 10 * SEC + SEC // 10), "not_permitted")
ref = time.time_ns()
st(u64(HOST, ref + 600 * SEC) + u64(REF, ref) + u8(MODE, 2), "not_permitted")
st(u64(HOST, ref + 600 * SEC + 1) + u64(REF, ref) + u8(MODE, 2), "bad_value", "too far to slew")
st(u64(HOST, ref - 600 * SEC - 1) + u64(REF, ref) + u8(MODE, 2), "bad_value", "too far to slew")
st(u64(HOST, ref + 1000) + u64(REF, ref) + u8(MODE, 0), "not_permitted")
st(u64(HOST, ref + 1000) + u64(REF, ref) + u8(MODE, 1), "not_permitted")
# host time equal to the reference: nothing to do, nothing done
r = st(u64(HOST, ref) + u64(REF, ref), "ok")
t = r["tlvs"]
assert t[51] == b"\x00" and struct.unpack("<q", t[52])[0] == 0 and t[49] == b"\x00", t
r = st(u64(HOST, ref) + u64(REF, ref) + u8(RTC, 1), "ok")
assert r["tlvs"][49] in (b"\x02", b"\x03"), r   # absent, or refused without the capability
r = c.call(OP["ping"]); assert r["status"] == 0, r
PYEOF

check "no clock-jump event while the clocks run steadily (2.5 s)" $PY - "$S" <<'PYEOF'
import sys, socket
from gdproto import *
c = Conn(sys.argv[1], timeout=2.5)
try:
    f = c.recv_frame()
    raise SystemExit("unexpected frame %r" % (f,))
except socket.timeout:
    pass
PYEOF
check_match "agent log: no clock jump reported" "^$" "$(grep 'clock jump' "$T/agent.log")"
check "agent still serves" "$GUESTCTL" --unix "$S" ping

# libkrun time sync: AF_VSOCK datagrams. This kernel has no vsock datagram
# transport (only VMCI has one), so the agent must say so (at debug: it is
# the usual case in a QEMU guest) and carry on.
port=$((20000 + RANDOM % 20000))
"$GUESTD" --config /nonexistent --cmdline /nonexistent --local-sock "" --vsock-port $port \
	--unix "$T/k.sock" --log-level debug >"$T/k.log" 2>&1 &
kpid=$!; _pids+=($kpid)
wait_for_socket "$T/k.sock"
if grep -q "no AF_VSOCK" "$T/k.log"; then
	ok "# SKIP no AF_VSOCK in this kernel"
else
	# the unix socket may accept before the datagram listener is logged
	for ((i = 0; i < 100; i++)); do grep -q libkrun "$T/k.log" && break; sleep 0.02; done
	check_match "libkrun listener: clear note when datagrams are unsupported" \
		"libkrun time sync (off: no vsock datagram transport|on vsock datagram port 123)" "$(cat "$T/k.log")"
fi
check "agent with the libkrun listener serves" "$GUESTCTL" --unix "$T/k.sock" ping
kill $kpid; wait $kpid 2>/dev/null
AGENT_LOG=$T/k0.log start_agent "$T/k0.sock" --no-vsock --timesync-port 0
check_match "timesync-port 0: no libkrun listener" "^$" "$(grep libkrun "$T/k0.log")"
AGENT_LOG=$T/kmax.log start_agent "$T/kmax.sock" --timesync-port 4294967294
check "timesync-port 4294967294 (the limit) accepted" "$GUESTCTL" --unix "$T/kmax.sock" ping
"$GUESTD" --no-vsock --timesync-port 4294967295 --local-sock "" --unix "$T/x.sock" 2>/dev/null; check_eq "timesync-port 4294967295: exit 2" 2 $?
done_testing
