#!/bin/bash
# Serial transport on a tty (a pty standing in for a virtio-serial port):
# raw mode, one long-lived stream, resync after garbage, successive clients.
source "$(dirname "$0")/../lib/lib.sh"
export PYTHONPATH=$TOP/tests/lib

python3 -B "$TOP/tests/lib/serial_relay.py" "$T/chardev.sock" "$T/ttyG" & _pids+=($!)
wait_for_socket "$T/chardev.sock"
"$GUESTD" --no-vsock --local-sock "" --config /nonexistent --cmdline /nonexistent \
	--serial "$T/ttyG" >"$T/agent.log" 2>&1 & _pids+=($!)
check_log "agent serves the tty" "serving on serial $T/ttyG" "$T/agent.log"
check "ping over the serial line" "$GUESTCTL" --unix "$T/chardev.sock" ping
check "info over the serial line, second client" "$GUESTCTL" --unix "$T/chardev.sock" info

check "garbage then frames: resync, in-order answers" python3 -B - "$T/chardev.sock" <<'PYEOF'
import sys
from gdproto import *
c = Conn(sys.argv[1])
c.send(bytes(range(256)) * 4 + b"GD\x01\x00" + frame(OP["ping"], id=5) + frame(OP["info"], id=6))
r = c.recv_frame()
assert r["status"] == S["bad_frame"], r
r = c.recv_frame(); assert r["id"] == 5 and r["status"] == 0, r
r = c.recv_frame(); assert r["id"] == 6 and r["status"] == 0, r
# a half frame left behind by a client that goes away...
c.send(frame(OP["ping"], id=7)[:9])
c.close()
PYEOF
# ...does not stop the next client: the decoder resyncs on its frames.
check "next client after a half frame is served" "$GUESTCTL" --unix "$T/chardev.sock" --timeout 3000 ping

ls -l /dev/vport* >/dev/null 2>&1 || true
"$GUESTD" --no-vsock --local-sock "" --config /nonexistent --cmdline /nonexistent \
	--serial org.nonexistent.port >"$T/missing.log" 2>&1 & mp=$!; _pids+=($mp)
sleep 0.5
check "a missing port is waited for, not fatal" kill -0 $mp
check_log "missing port logged once" "not present yet" "$T/missing.log"
check_eq "logged once only" 1 "$(grep -c 'not present yet' "$T/missing.log")"
done_testing
