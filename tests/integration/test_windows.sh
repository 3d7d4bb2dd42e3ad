#!/bin/bash
# guestctl for Windows: `make windows` cross-builds build/guestctl.exe with
# mingw-w64 (PE32+, static: only system DLLs). When Debian's wine64 runs
# here, the .exe runs under it: the local commands and --help against the
# Linux build's output, every transport's refusal or failure, wait-ready's
# retry loop, and tests/windows/test_compat.c (the Winsock layer over TCP,
# as Wine has neither AF_UNIX nor AF_HYPERV). A real AF_HYPERV connection
# needs a Hyper-V host (docs/hyper-v.md says what that leaves untested).
source "$(dirname "$0")/../lib/lib.sh"

EXE=$TOP/build/guestctl.exe
check_has() { if [[ "$3" == *"$2"* ]]; then ok "$1"; else not_ok "$1" "[$3] lacks [$2]"; fi; }

# ---- the build ----
t0=$(date +%s%N)
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$TOP" --no-print-directory \
	-j2 windows-tests >"$T/make.log" 2>&1
rc=$?
check_eq "make windows windows-tests: exit 0 ($(( ($(date +%s%N) - t0) / 1000000 )) ms)" 0 $rc
[ $rc -eq 0 ] || tail -20 "$T/make.log"
check_match "build/guestctl.exe is PE32+" "PE32\+ executable \(console\) x86-64" \
	"$(file -b "$EXE")"
dlls=$(x86_64-w64-mingw32-objdump -p "$EXE" | sed -n 's/^[[:space:]]*DLL Name: //p' |
	tr 'A-Z' 'a-z' | sort | paste -sd' ')
check_match "imports some DLLs" "dll" "$dlls"
extra=""
for d in $dlls; do
	case $d in kernel32.dll|msvcrt.dll|ws2_32.dll|bcrypt.dll|advapi32.dll) ;;
	*) extra+=" $d" ;; esac
done
check_eq "only Windows' own DLLs: [$dlls]" "" "$extra"

# ---- under Wine ----
WINE=$(command -v wine64 || echo /usr/lib/wine/wine64)
WINESERVER=$(dirname "$WINE")/wineserver
[ -x "$WINESERVER" ] || WINESERVER=$(command -v wineserver)
# One prefix per worktree, made on the first run (about 6 s, 0.7 GB).
export WINEPREFIX=$TOP/build/wine WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
unset DISPLAY WAYLAND_DISPLAY

skip_wine() {
	ok "# SKIP $1"
	done_testing
	exit
}
[ -x "$WINE" ] || skip_wine "wine64 is not installed (apt-get install wine64)"
[ -f "$EXE" ] || skip_wine "no build/guestctl.exe to run"
# One wineserver for the whole test, stopped at the end (also when the test
# stops early): with a short persistence a client could start just as the
# server was leaving.
"$WINESERVER" -p 2>/dev/null
trap '"$WINESERVER" -k 2>/dev/null; cleanup' EXIT
# wine EXE ARGS...: stdout without CRs in $out, stderr in $err, exit in $rc
# A run that Wine itself lost ("wine client error:...: recvmsg: Connection
# reset by peer": the client's link to wineserver broke, exit 1; seen in 2 of
# 6 clean-clone CI runs) never reached guestctl.exe: it is run again, up to
# WINE_TRIES times. Anything guestctl.exe says is judged as it stands.
WINE_TRIES=3
wine() {
	local try
	for ((try = 1; try <= WINE_TRIES; try++)); do
		timeout 120 "$WINE" "$@" >"$T/out" 2>"$T/err"
		rc=$?
		grep -q '^wine client error:' "$T/err" || break
		echo "# wine lost its server (try $try): $(head -n1 "$T/err")"
	done
	out=$(tr -d '\r' <"$T/out")
	err=$(tr -d '\r' <"$T/err")
}
# check_rc NAME EXPECTED: the last wine run's exit status, with its stderr
# when it is not the one expected.
check_rc() {
	if [ "$rc" = "$2" ]; then ok "$1"; else not_ok "$1" "expected exit [$2] got [$rc]; stderr: $err"; fi
}
wine "$EXE" --version
[ $rc -eq 0 ] || skip_wine "wine64 does not run guestctl.exe here (exit $rc: ${err%%$'\n'*})"
check_eq "--version: the Linux build's" "$("$GUESTCTL" --version)" "$out"

wine "$EXE" hyperv-guid 2761
check_rc "hyperv-guid 2761: exit 0" 0
check_eq "hyperv-guid 2761 prints the service GUID" \
	"00000ac9-facb-11e6-bd58-64006a7986d3" "$out"
wine "$EXE" --json hyperv-guid 4294967295
check_eq "--json hyperv-guid 4294967295: the Linux build's" \
	"$("$GUESTCTL" --json hyperv-guid 4294967295)" "$out"
wine "$EXE" hyperv-register 22 "it's mine"
check_eq "hyperv-register 22 NAME: the Linux build's script" \
	"$("$GUESTCTL" hyperv-register 22 "it's mine")" "$out"
wine "$EXE" hyperv-guid 4294967296
check_rc "hyperv-guid past 32 bits: exit 2" 2

wine "$EXE" --help
check_rc "--help: exit 0" 0
check_has "--help lists --hyperv" "--hyperv VMID[:PORT]" "$out"
check_eq "--help: the Linux build's but for notify-listen's line" \
	"$("$GUESTCTL" --help | grep -v notify-listen)" "$(grep -v notify-listen <<<"$out")"
check_has "--help: notify-listen says it is not on Windows" "(not on Windows)" "$out"

wine "$EXE" ping
check_rc "no target: exit 2" 2
wine "$EXE" --hyperv nosuchvm ping
check_rc "--hyperv with a bad VMID: exit 2" 2
check_has "  names the flag" "bad --hyperv VMID[:PORT]: nosuchvm" "$err"

# Wine has no AF_HYPERV: the connection fails at socket(), after parsing,
# Winsock start-up and the engine's start, with Winsock's own error.
wine "$EXE" --hyperv HV_GUID_PARENT ping
check_rc "--hyperv HV_GUID_PARENT ping under Wine: exit 3" 3
check_has "  target and Winsock's error" \
	"hyperv:a42e7cda-d03f-480c-9cc2-a4de20abb878:2761: connect: " "$err"
check_has "  Wine lacks AF_HYPERV" "(WSAEAFNOSUPPORT)" "$err"
wine "$EXE" --vsock 3 ping
check_rc "--vsock: exit 3" 3
check_has "  not available on Windows" \
	"vsock:3:2761: AF_VSOCK is not available on Windows: use --hyperv" "$err"
wine "$EXE" --hybrid 'C:\vm.sock:52' info
check_rc "--hybrid: exit 3" 3
check_has "  not available on Windows" "is not available on Windows" "$err"
wine "$EXE" notify-listen --port 9
check_rc "notify-listen: exit 3" 3
check_has "  not available on Windows" "not available on Windows" "$err"

printf 'hyperv:{E0E16197-DD56-4A10-9195-5EE7A155A838}:22\nvsock:3\n' >"$T/targets"
wine "$EXE" --json --targets 'Z:'"${T//\//\\}"'\targets' ping
check_rc "--targets with hyperv: and vsock: lines: exit 6" 6
check_has "  the hyperv line's target" \
	'"target":"hyperv:e0e16197-dd56-4a10-9195-5ee7a155a838:22"' "$out"
check_has "  the vsock line refused" '"message":"AF_VSOCK is not available' "$out"

# wait-ready retries with backoff through gc_poll with no socket open.
wine "$EXE" --timeout 300 --hyperv HV_GUID_LOOPBACK wait-ready
check_rc "wait-ready --timeout 300 under Wine: exit 4" 4
check_match "  retried with backoff (10, 20, 40... ms)" \
	"not ready after 300 ms \(([3-9]|[1-9][0-9]+) attempts; last: connect:" "$err"

# Authentication: keygen, then --key-file passes the ACL check (the run
# then fails at socket(), exit 3); one Everyone may read is refused (Wine
# shows a unix file's "other" bits as an Everyone entry of its DACL).
winpath() { local p=${1//\//\\}; echo "Z:$p"; }
wine "$EXE" keygen "$(winpath "$T/k")"
check_rc "keygen: exit 0" 0
check_match "  64 hex digits and a newline" "^[0-9a-f]{64}$" "$(cat "$T/k")"
wine "$EXE" keygen "$(winpath "$T/k")"
check_rc "keygen never overwrites: exit 2" 2
wine "$EXE" --key-file "$(winpath "$T/k")" --hyperv HV_GUID_PARENT ping
check_rc "--key-file with keygen's key is accepted (then exit 3 at socket())" 3
cp "$T/k" "$T/k644"; chmod 644 "$T/k644"
wine "$EXE" --key-file "$(winpath "$T/k644")" --hyperv HV_GUID_PARENT ping
check_rc "--key-file Everyone may read: exit 2" 2
check_has "  says why" "Everyone may read it" "$err"

# The Winsock, CNG and key-file layer itself.
mkdir "$T/keys"
cp "$T/k644" "$T/keys/open644"; chmod 644 "$T/keys/open644"
echo nonsense >"$T/keys/junk600"; chmod 600 "$T/keys/junk600"
wine "$TOP/build/win/test_compat.exe" "$(winpath "$T/keys")"
check_rc "test_compat.exe: exit 0" 0
n=0
while IFS= read -r line; do
	case $line in
	"ok - "*) ok "compat: ${line#ok - }"; n=$((n + 1)) ;;
	"not ok - "*) not_ok "compat: ${line#not ok - }"; n=$((n + 1)) ;;
	esac
done <<<"$out"
check_match "test_compat.exe reported its checks" "^[1-9][0-9]+$" "$n"
[ -n "$err" ] && echo "# test_compat stderr: $err"

"$WINESERVER" -k 2>/dev/null # this prefix's server and its services
"$WINESERVER" -w 2>/dev/null
done_testing
