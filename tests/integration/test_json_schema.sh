#!/bin/bash
# guestctl --json against docs/guestctl-json.md: every member guestctl
# prints is documented there, with the documented type, for results, each
# error kind, the summary, usage errors and the local commands.
source "$(dirname "$0")/../lib/lib.sh"
PY="python3 -B"; [ -x /usr/bin/python3 ] && PY="/usr/bin/python3 -B"
export PYTHONPATH=$TOP/tests/lib
DOC=$TOP/docs/guestctl-json.md

S=$T/g.sock
start_agent "$S" || not_ok "agent starts"
# A fake agent that refuses everything: status auth-required + a message.
$PY - "$T/refuse.sock" <<'PYEOF' & _pids+=($!)
import socket, struct, sys, threading
from gdproto import frame, tlv, F_RESPONSE, S, HDR
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1] + ".tmp"); s.listen(8)
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
def serve(c):
    buf = b""
    while True:
        d = c.recv(4096)
        if not d: return
        buf += d
        while len(buf) >= HDR:
            op, id, n = struct.unpack_from("<H", buf, 4)[0], struct.unpack_from("<I", buf, 8)[0], struct.unpack_from("<H", buf, 12)[0]
            buf = buf[HDR + n:]
            c.sendall(frame(op, tlv(1, "key needed"), id=id, flags=F_RESPONSE, status=S["auth_required"]))
while True:
    threading.Thread(target=serve, args=(s.accept()[0],), daemon=True).start()
PYEOF
$PY - "$T/mute.sock" <<'PYEOF' & _pids+=($!)
import os, socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1] + ".tmp"); s.listen(8)
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
conns = []
while True: conns.append(s.accept())
PYEOF
for f in "$T/refuse.sock" "$T/mute.sock"; do
	for ((i = 0; i < 500; i++)); do [ -S "$f" ] && break; sleep 0.01; done
done
$PY "$TOP/tests/lib/hybrid_relay.py" "$T/bad.sock" 2761 "$S" --reply 'NO\n' & _pids+=($!)
for ((i = 0; i < 500; i++)); do [ -S "$T/bad.sock" ] && break; sleep 0.01; done

G=$GUESTCTL
out=$T/out
: >"$out"
run() { "$@" >>"$out" 2>/dev/null; echo $?; }
codes=""
codes+="$(run $G --json --unix "$S" ping) "
codes+="$(run $G --json --unix "$S" info) "
codes+="$(run $G --json --unix "$S" wait-ready --timeout 1000) "
codes+="$(run $G --json --unix "$T/refuse.sock" ping) "
codes+="$(run $G --json --unix "$T/none.sock" ping) "
codes+="$(run $G --json --timeout 200 --unix "$T/mute.sock" ping) "
codes+="$(run $G --json --hybrid "$T/bad.sock" ping) "
codes+="$(run $G --json --unix "$S" --unix "$T/none.sock" info) "
codes+="$(run $G --json --bogus ping) "
codes+="$(run $G --json --unix "$S" ping extra) "
codes+="$(run $G --json hyperv-guid 2761) "
codes+="$(run $G --json hyperv-register 2761 vm) "
check_eq "exit codes: ok ok ok agent connect timeout protocol fleet usage usage ok ok" \
	"0 0 0 1 3 4 5 6 2 2 0 0 " "$codes"

check "every line is a JSON object whose members are documented, typed as documented" \
	$PY - "$DOC" "$out" <<'PYEOF'
import json, re, sys
doc = open(sys.argv[1]).read()
types = {}
for m in re.finditer(r"^\| `([a-z_]+)` +\| ([a-z ]+?) +\|", doc, re.M):
    types.setdefault(m.group(1), set()).add(m.group(2).strip())
documented = set(re.findall(r"`([a-z_]+)`", doc))
py = {"string": str, "integer": int, "boolean": bool, "array of strings": list,
      "array of objects": list}
seen = set()
for line in open(sys.argv[2]):
    o = json.loads(line)
    assert isinstance(o, dict), line
    for k, v in o.items():
        assert k in documented, "undocumented member %r in %s" % (k, line)
        seen.add(k)
        # a name may have a type per object kind (ok: boolean, or a count)
        ts = [t for t in types.get(k, ()) if t in py]
        fits = [t for t in ts if isinstance(v, py[t]) and
                not (t == "integer" and isinstance(v, bool))]
        assert not ts or fits, "%s should be %s: %r" % (k, " or ".join(ts), v)
want = {"target", "command", "ok", "rtt_ns", "error", "status", "status_code",
        "message", "exit_code", "elapsed_ns", "attempts", "summary", "targets",
        "failed", "wall_ns", "agent_version", "capabilities", "boot_id",
        "port", "service_guid", "name", "script"}
assert want <= seen, "never printed: %s" % (want - seen)
PYEOF

lines=$(cat "$out")
check_match "agent error object" '"ok":false,"error":"agent-error","status":"auth-required","status_code":9,"message":"key needed","exit_code":1' "$lines"
check_match "timeout object" '"error":"timeout","message":"timed out after 200 ms waiting for the agent","exit_code":4' "$lines"
check_match "protocol object names the relay's answer" '"error":"protocol","message":"hybrid relay answered \\"NO\\\\n\\" to CONNECT 2761' "$lines"
check_match "usage object for a bad flag" '^\{"ok":false,"error":"usage","message":"unknown flag: --bogus","exit_code":2\}$' "$(grep bogus "$out")"
check_match "usage object for bad arguments names the command" '\{"command":"ping","ok":false,"error":"usage"' "$lines"
check_match "summary object last of a fleet" '\{"summary":true,"command":"info","targets":2,"ok":1,"failed":1,"wall_ns":[0-9]+,"exit_code":6\}' "$lines"
done_testing
