# Shared helpers for integration test scripts (source it).
# Each check prints one TAP line; the script's exit status is ignored when
# it printed its own lines, so always finish with `done_testing`.
set -u
TOP=${TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
GUESTD=${GUESTD:-$TOP/build/guestd}
GUESTCTL=${GUESTCTL:-$TOP/build/guestctl}
T=$(mktemp -d /tmp/gdtest.XXXXXX)
_n=0 _failed=0
# Debian's python3 starts fast; a pyenv shim on PATH can take a second.
PY3=python3; [ -x /usr/bin/python3 ] && PY3=/usr/bin/python3
_pids=()

cleanup() {
	local p
	for p in "${_pids[@]}"; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

ok()     { _n=$((_n + 1)); echo "ok $_n - $1"; }
not_ok() { _n=$((_n + 1)); _failed=$((_failed + 1)); echo "not ok $_n - $1"; shift; [ $# -gt 0 ] && echo "#   $*"; }
# check NAME CMD... : ok when CMD exits 0.
check()  { local name=$1; shift; if "$@"; then ok "$name"; else not_ok "$name" "command failed: $*"; fi; }
# check_eq NAME EXPECTED ACTUAL
check_eq() { if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "expected [$2] got [$3]"; fi; }
# check_match NAME REGEX TEXT
check_match() { if [[ "$3" =~ $2 ]]; then ok "$1"; else not_ok "$1" "[$3] does not match /$2/"; fi; }
# check_log NAME REGEX FILE: FILE matches REGEX within LOG_WAIT_S seconds. A
# running agent writes its log line around the answer the client just got,
# not necessarily before it.
LOG_WAIT_S=5
check_log() {
	local i
	for ((i = 0; i < LOG_WAIT_S * 20; i++)); do
		[[ "$(cat "$3" 2>/dev/null)" =~ $2 ]] && break
		sleep 0.05
	done
	check_match "$1" "$2" "$(cat "$3" 2>/dev/null)"
}
# skip_all WHY: the whole script is skipped (one ok line), e.g. no QEMU.
skip_all() { ok "# SKIP $*"; done_testing; exit 0; }
done_testing() { echo "1..$_n"; [ "$_failed" -eq 0 ]; }
# tap_include FILE: print the unnumbered TAP lines another program wrote
# ("ok - ..." / "not ok - ..." and comments), numbered and counted here.
tap_include() {
	local line
	while IFS= read -r line; do
		case $line in
		"ok - "*) ok "${line#ok - }" ;;
		"not ok - "*) _n=$((_n + 1)); _failed=$((_failed + 1)); echo "not ok $_n - ${line#not ok - }" ;;
		*) echo "$line" ;;
		esac
	done <"$1"
}

# wait_for_socket PATH [TIMEOUT_S]: until a unix socket accepts connections
# (the file appears at bind(2), before listen(2), so existence is not enough).
wait_for_socket() {
	"$PY3" -B - "$1" "${2:-10}" <<'PYEOF'
import socket, sys, time
end = time.time() + float(sys.argv[2])
while time.time() < end:
    s = socket.socket(socket.AF_UNIX)
    try:
        s.connect(sys.argv[1])
        sys.exit(0)
    except OSError:
        time.sleep(0.01)
    finally:
        s.close()
sys.exit(1)
PYEOF
}

# start_agent SOCK [ARGS...]: run guestd on a unix socket without vsock;
# sets AGENT_PID. Its log goes to $T/agent.log (or $AGENT_LOG).
start_agent() {
	local sock=$1; shift
	"$GUESTD" --no-vsock --config /nonexistent --cmdline /nonexistent \
		--local-sock "" --unix "$sock" "$@" >>"${AGENT_LOG:-$T/agent.log}" 2>&1 &
	AGENT_PID=$!
	_pids+=("$AGENT_PID")
	wait_for_socket "$sock"
}

# rss_kb PID: resident set size in KiB.
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
