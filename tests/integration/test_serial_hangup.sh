#!/bin/bash
# A serial port's session ends with its host (docs/auth.md, "Sessions"):
# when guestd drops the host on a serial line (frame deadline, a refusal),
# the next host on that line starts with a fresh session: no KV watch it
# never asked for, no authentication it never did. The line is a pty
# standing in for a virtio-serial port (tests/lib/serial_relay.py); the real
# port's POLLHUP goes through the same reset (agent/transport/serial.c), and
# e2e/test_guest.sh covers it in QEMU.
source "$(dirname "$0")/../lib/lib.sh"
export PYTHONPATH=$TOP/tests/lib
PY="$PY3 -B"

# serve NAME [GUESTD ARGS]: a relay and a guestd serving it, with a unix
# socket too; the chardev is $T/NAME.chardev, the socket $T/NAME.sock.
serve() {
	local name=$1; shift
	$PY "$TOP/tests/lib/serial_relay.py" "$T/$name.chardev" "$T/$name.tty" & _pids+=($!)
	wait_for_socket "$T/$name.chardev"
	AGENT_LOG=$T/$name.log start_agent "$T/$name.sock" --serial "$T/$name.tty" \
		--frame-deadline-ms 300 "$@"
	check_log "$name: agent serves the tty" "serving on serial $T/$name.tty" "$T/$name.log"
}

serve plain
check "a watching host dropped by the deadline; the next host gets no KV_CHANGED" \
	$PY - "$T/plain.chardev" "$T/plain.sock" <<'PYEOF'
import socket, sys, time
from gdkv import KV
from gdproto import F_EVENT, OP, frame

chardev, sock = sys.argv[1], sys.argv[2]
a = KV(chardev)
assert a.watch(0) == 0
setter = KV(sock)
assert setter.set(0, "k", b"1") == 0
ev = a.next_event()
assert ev is not None, "the watcher gets its event (the control)"
a.send(frame(OP["ping"], id=99)[:9])       # half a frame...
time.sleep(0.8)                            # ...past the 300 ms deadline
a.close()

b = KV(chardev)
# Bytes already queued for the old session may still sit in the relay;
# the first exchange skips them and resyncs, as a host does.
b.s.settimeout(2)
r = b.rpc("ping")
assert r["status"] == 0, r
assert setter.set(0, "k", b"2") == 0
assert setter.set(0, "k2", b"3") == 0
b.s.settimeout(1.0)
try:
    r = b.recv_frame()
except socket.timeout:
    r = None
assert r is None, "KV_CHANGED the new host never asked for: %r" % (r,)
b.s.settimeout(5)
assert b.watch(0) == 0                     # once it asks, it gets them
assert setter.set(0, "k", b"4") == 0
ev = b.next_event()
assert ev is not None and ev["flags"] & F_EVENT, ev
PYEOF
check_log "  the drop was logged as the deadline" "frame not completed" "$T/plain.log"

K=$T/guestd.key
"$GUESTCTL" keygen "$K" >/dev/null
serve keyed --key-file "$K"
check "an authenticated host dropped; the next host must authenticate afresh" \
	$PY - "$T/keyed.chardev" "$K" <<'PYEOF'
import sys, time
from gdauth import *
from gdproto import *

chardev = sys.argv[1]
key = bytes.fromhex(open(sys.argv[2]).read().strip())
a = AuthConn(chardev)
r = a.authenticate(key)
assert r["status"] == 0 and r["mac_ok"], r
r = a.scall(OP["ping"], id=1)
assert r["status"] == 0 and r["mac_ok"], r
a.send(frame(OP["ping"], id=2)[:9])
time.sleep(0.8)
a.close()

b = Conn(chardev)
r = b.call(OP["ping"], id=3)
while r is not None and r["id"] != 3:       # skip what the old session left
    r = b.recv_frame()
assert r is not None and r["status"] == S["auth_required"], r
assert not r["flags"] & F_MAC, "sealed for a session the new host never had"
PYEOF
done_testing
