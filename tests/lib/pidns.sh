# Helpers for tests running guestd as PID 1 of new namespaces (source after
# lib.sh). Each namespace gets a NAME: socket $T/NAME.sock, log $T/NAME.log.
PY="python3 -B"
export PYTHONPATH=$TOP/tests/lib

pidns_usable() { [ "$(id -u)" = 0 ] && unshare --pid --fork --mount-proc true 2>/dev/null; }

# ns_start NAME [UNSHARE_OPTS...] -- [GUESTD_FLAGS...] [-- WORKLOAD...]
# guestd as PID 1 (unshare --pid --fork --mount-proc: PID and mount
# namespaces); sets NSPID, its pid as the host sees it.
ns_start() {
	local name=$1 uopts=() i
	shift
	while [ "$1" != -- ]; do uopts+=("$1"); shift; done
	shift
	rm -f "$T/$name.result" "$T/$name.pid" "$T/$name.sock"
	$PY "$TOP/tests/lib/pidns.py" "$T/$name.result" "$T/$name.pid" \
		unshare --pid --fork --mount-proc "${uopts[@]}" \
		"$GUESTD" --no-vsock --config /nonexistent --cmdline /nonexistent \
		--local-sock "" --log-to stderr --unix "$T/$name.sock" "$@" \
		>"$T/$name.log" 2>&1 &
	_pids+=($!)
	NSPID=
	for ((i = 0; i < 500; i++)); do [ -s "$T/$name.pid" ] && break; sleep 0.01; done
	NSPID=$(cat "$T/$name.pid" 2>/dev/null)
	[ -n "$NSPID" ] && _pids+=("$NSPID")
	ns_wait_socket "$name"
}

# ns_wait_socket NAME: until $T/NAME.sock answers, or the namespace ended.
ns_wait_socket() {
	local i
	for ((i = 0; i < 500; i++)); do
		# 0: answered; 1: answered with an error (auth-required, say)
		"$GUESTCTL" --unix "$T/$1.sock" --timeout 500 ping >/dev/null 2>&1
		[ $? -le 1 ] && return 0
		[ -f "$T/$1.result" ] && return 0 # ended before listening
		sleep 0.01
	done
	return 1
}

# ns_end NAME [TIMEOUT_S]: "signal INT", "exit 3"... once the init ended.
ns_end() {
	local i
	for ((i = 0; i < ${2:-10} * 100; i++)); do
		[ -f "$T/$1.result" ] && { cut -d' ' -f1,2 "$T/$1.result"; return; }
		sleep 0.01
	done
	echo "still running"
}
ns_end_time() { cut -d' ' -f3 "$T/$1.result" 2>/dev/null || echo 0; } # epoch ns
now() { date +%s%N; }
# ms_between NS1 NS2: whole milliseconds from one epoch-ns stamp to another.
ms_between() { echo $((($2 - $1) / 1000000)); }
info_json() { "$GUESTCTL" --unix "$T/$1.sock" --json info; }
# jget JSON KEY: a member of guestctl's flat JSON ("" if absent).
jget() {
	local re="\"$2\":(\"([^\"]*)\"|([^,}]*))"
	[[ $1 =~ $re ]] && echo "${BASH_REMATCH[2]}${BASH_REMATCH[3]}"
}
# wait_info NAME KEY TEST VALUE: until info's KEY passes [ v TEST VALUE ]; prints v.
wait_info() {
	local i v
	for ((i = 0; i < 500; i++)); do
		v=$(jget "$(info_json "$1")" "$2")
		[ -n "$v" ] && [ "$v" "$3" "$4" ] && { echo "$v"; return 0; }
		sleep 0.02
	done
	echo "$v"
	return 1
}
# zombies_of PID: "ZOMBIES CHILDREN" among PID's children.
zombies_of() {
	$PY - "$1" <<'PYEOF'
import os, sys
z = kids = 0
for d in os.listdir("/proc"):
    if not d.isdigit():
        continue
    try:
        s = open(f"/proc/{d}/stat").read()
    except OSError:
        continue
    state, ppid = s[s.rindex(")") + 2:].split()[:2]
    if ppid == sys.argv[1]:
        kids += 1
        z += state == "Z"
print(z, kids)
PYEOF
}
# in_order FILE RE...: each regex matches a line after the previous match.
in_order() {
	local f=$1 line=0 re n
	shift
	for re in "$@"; do
		n=$(tail -n +$((line + 1)) "$f" | grep -nE -m1 -- "$re" | cut -d: -f1)
		[ -n "$n" ] || { echo "# missing after line $line of $f: $re"; return 1; }
		line=$((line + n))
	done
}
# quiet CMD...: run CMD with its output dropped (for check).
quiet() { "$@" >/dev/null 2>&1; }
