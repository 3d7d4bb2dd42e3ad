#!/bin/bash
# qga-trust (guestd(8)): QGA has no authentication, so with a key file set
# guestd refuses to open QGA listeners on unix or vsock unless
# qga-trust=channel says the channel is trusted; the choice is logged at
# start, and the native socket keeps asking for the key either way.
source "$(dirname "$0")/../lib/lib.sh"
source "$TOP/tests/lib/pidns.sh"
PY="$PY3 -B"
export PYTHONPATH=$TOP/tests/lib

K=$T/guestd.key
"$GUESTCTL" keygen "$K" >/dev/null

# qga_ask SOCK: the host name as a QGA client gets it, or the error.
qga_ask() {
	$PY - "$1" <<'PYEOF' 2>&1
import json, sys
from qga import Client
try:
    c = Client(sys.argv[1], timeout=10)
    print(json.dumps(c.call(b'{"execute":"guest-get-host-name"}\n')))
except OSError as e:
    print("error:", e)
PYEOF
}

run_guestd() { # ARGS...: guestd in the foreground, not PID 1
	timeout 10 "$GUESTD" --no-vsock --config /nonexistent --cmdline /nonexistent \
		--local-sock "" "$@" 2>&1
}

# --- a key and a QGA listener, no qga-trust: refused, and guestd stops -----
out=$(run_guestd --unix "$T/a.sock" --key-file "$K" --qga-unix "$T/qa.sock"); rc=$?
check_eq "key + qga-unix without qga-trust: guestd exits 1" 1 $rc
check_match "  the error names qga-unix and qga-trust=channel" \
	"qga-unix not opened: the QEMU guest agent protocol cannot prove key-file's key; set qga-trust=channel" "$out"
check "  no QGA socket is left behind" test ! -e "$T/qa.sock"
out=$(run_guestd --unix "$T/a.sock" --key-file "$K" --qga-vsock-port 3000); rc=$?
check_eq "key + qga-vsock-port without qga-trust: guestd exits 1" 1 $rc
check_match "  the error names qga-vsock-port" "qga-vsock-port not opened" "$out"
out=$(run_guestd --unix "$T/a.sock" --key-file "$K" --qga-unix "$T/qa.sock" --qga-trust key); rc=$?
check_eq "qga-trust=key said outright: exit 1 as well" 1 $rc

out=$(run_guestd --unix "$T/a.sock" --qga-trust everyone); rc=$?
check_eq "qga-trust=everyone: exit 2, as every bad choice" 2 $rc
check_match "  the error lists the choices" "qga-trust=everyone: not key or channel" "$out"

# --- qga-trust=channel: served unauthenticated, said so at start ----------
AGENT_LOG=$T/channel.log
start_agent "$T/c.sock" --key-file "$K" --qga-unix "$T/qc.sock" --qga-trust channel
wait_for_socket "$T/qc.sock"
check_match "qga-trust=channel: QGA answers without a key" '"return": \{"host-name": "[^"]+"\}' "$(qga_ask "$T/qc.sock")"
check_match "  logged at start as unauthenticated" \
	"qga-unix: QEMU guest agent protocol without authentication \(qga-trust=channel\)" "$(cat "$T/channel.log")"
out=$("$GUESTCTL" --unix "$T/c.sock" info 2>&1); rc=$?
check_eq "  the native socket still refuses guestctl without the key: exit 1" 1 $rc
check_match "  with auth-required" "auth-required" "$out"
check "  and answers with it" sh -c "'$GUESTCTL' --key-file '$K' --unix '$T/c.sock' ping >/dev/null"
kill "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null

# The same from the config file, as an image ships it.
printf 'key-file=%s\nqga-unix=%s\nqga-trust=channel\n' "$K" "$T/qf.sock" >"$T/guestd.conf"
"$GUESTD" --no-vsock --config "$T/guestd.conf" --cmdline /nonexistent --local-sock "" \
	--unix "$T/f.sock" >"$T/file.log" 2>&1 &
fpid=$!; _pids+=("$fpid")
wait_for_socket "$T/qf.sock"
check_match "qga-trust=channel in guestd.conf: QGA answers" '"return"' "$(qga_ask "$T/qf.sock")"
kill "$fpid"; wait "$fpid" 2>/dev/null

# --- no key: QGA is served as before, nothing to trust ---------------------
AGENT_LOG=$T/nokey.log
start_agent "$T/n.sock" --qga-unix "$T/qn.sock"
wait_for_socket "$T/qn.sock"
out=$(qga_ask "$T/qn.sock")
check_match "no key: QGA answers" '"return"' "$out"
[[ $out == *'"return"'* ]] || sed 's/^/# agent: /' "$T/nokey.log"
check "  and no trust warning is logged" sh -c "! grep -q 'qga-trust' '$T/nokey.log'"
kill "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null

# --- as PID 1, a refused QGA listener does not stop the init ---------------
if pidns_usable; then
	ns_start qpid -- --key-file "$K" --qga-unix "$T/qp.sock"
	check "PID 1 with key + qga-unix: native socket served with the key" \
		sh -c "'$GUESTCTL' --key-file '$K' --unix '$T/qpid.sock' --timeout 3000 ping >/dev/null"
	check "  the QGA socket was not opened" test ! -e "$T/qp.sock"
	check_match "  the refusal is logged" "qga-unix not opened" "$(cat "$T/qpid.log")"
	"$GUESTCTL" --key-file "$K" --unix "$T/qpid.sock" shutdown >/dev/null 2>&1
	check_match "  and it still shuts down in order" "exit 0|signal" "$(ns_end qpid)"
else
	ok "# SKIP PID 1 case: needs root and unshare --pid"
fi
done_testing
