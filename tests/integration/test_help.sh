#!/bin/bash
# --help against the flags the code accepts, both ways, for guestd (the
# config key table) and guestctl (its flag parser and command table); and
# the man pages document every flag and command --help lists.
source "$(dirname "$0")/../lib/lib.sh"

# ---- guestd ----
help=$("$GUESTD" --help); rc=$?
check_eq "guestd --help: exit 0" 0 $rc
# "  --KEY [ARG]   text" lines
mapfile -t hflags < <(sed -n 's/^  \(--[a-z][a-z0-9-]*\).*/\1/p' <<<"$help")
mapfile -t keys < <(sed -n 's/^[[:space:]]*{ "\([a-z][a-z0-9-]*\)", GD_CT_.*/\1/p' "$TOP/libmini/config_keys.c")
check_match "the config table has keys" "^[1-9]" "${#keys[@]}"
missing=""
for k in "${keys[@]}"; do
	[[ " ${hflags[*]} " == *" --$k "* ]] || missing+=" --$k"
done
check_eq "every config key is in guestd --help" "" "$missing"
extra=""
for f in "${hflags[@]}"; do
	case $f in --help|--version) continue ;; esac
	[[ " ${keys[*]} " == *" ${f#--} "* ]] || extra+=" $f"
done
check_eq "every guestd --help flag is a config key (or --help/--version)" "" "$extra"

# A key file must exist and be usable to be accepted at all.
KEY=$T/sample.key
"$GUESTCTL" keygen "$KEY" >/dev/null

# sample_value FLAG_LINE: "(default X)" from the help text, else by metavar.
sample_value() {
	local line=$1 meta
	if [[ $line =~ \(default\ ([^\ \;\)]+) ]]; then echo "${BASH_REMATCH[1]}"; return; fi
	meta=$(awk '{print $2}' <<<"$line")
	case $meta in
	N) echo 1 ;;
	PATH) echo "$T/no-such-path" ;;
	LEVEL) echo info ;;
	ACTION) echo poweroff ;;
	WHERE) echo stderr ;;
	WHO) echo channel ;;
	FROM:TO) echo 15:3 ;;
	POLICY) echo wait ;;
	SIG) echo SIGQUIT ;;
	CMDLINE) echo "sleep 5" ;;
	KEYFILE) echo "$KEY" ;;
	*) echo x ;;
	esac
}

# runs_with ARGS...: guestd gets past its flags and opens its unix socket.
# The fixed flags come last so they win over the flag under test.
n=0
runs_with() {
	local sock=$T/h$((++n)).sock pid i
	"$GUESTD" "$@" --no-vsock --config /nonexistent --cmdline /nonexistent \
		--unix "$sock" >"$T/h$n.log" 2>&1 &
	pid=$!
	for ((i = 0; i < 500; i++)); do
		[ -S "$sock" ] && break
		kill -0 $pid 2>/dev/null || break
		sleep 0.01
	done
	if [ -S "$sock" ]; then
		kill $pid; wait $pid
		return 0
	fi
	kill -9 $pid 2>/dev/null; wait $pid
	cat "$T/h$n.log"
	return 1
}

for f in "${hflags[@]}"; do
	line=$(grep -E "^  $f( |$)" <<<"$help")
	case $f in
	--help|--version)
		"$GUESTD" $f >/dev/null; check_eq "guestd $f: exit 0" 0 $? ;;
	*)
		# a metavariable is upper case; a switch's help starts lower case
		if ! [[ "$(awk '{print $2}' <<<"$line")" =~ ^[A-Z] ]]; then
			check "guestd $f (a switch) is accepted" runs_with "$f"
			check "guestd --no-${f#--} is accepted" runs_with "--no-${f#--}"
		else
			v=$(sample_value "$line")
			check "guestd $f $v is accepted" runs_with "$f" "$v"
			check "guestd $f=$v is accepted" runs_with "$f=$v"
		fi ;;
	esac
done
"$GUESTD" --no-such-flag >/dev/null 2>&1; check_eq "guestd refuses a flag not in --help: exit 2" 2 $?

# ---- guestctl ----
chelp=$("$GUESTCTL" --help); rc=$?
check_eq "guestctl --help: exit 0" 0 $rc
flags_part=$(sed -n '/^flags:/,/^$/p' <<<"$chelp")
mapfile -t cflags < <(sed -n 's/^  \(--[a-z][a-z0-9-]*\).*/\1/p' <<<"$flags_part")
mapfile -t cmds < <(sed -n '/^commands:/,/^$/s/^  \([a-z][a-z0-9-]*\).*/\1/p' <<<"$chelp")
mapfile -t srcflags < <(grep -ho '"--[a-z][a-z0-9-]*"' "$TOP/host/main.c" | tr -d '"' | sort -u)
missing=""
for f in "${srcflags[@]}"; do
	[[ " ${cflags[*]} " == *" $f "* ]] || missing+=" $f"
done
check_eq "every flag in host/main.c is in guestctl --help" "" "$missing"

printf 'unix:%s\n' "$T/none.sock" >"$T/targets"
for f in "${cflags[@]}"; do
	line=$(grep -E "^  $f( |$)" <<<"$flags_part")
	meta=$(awk '{print $2}' <<<"$line")
	case $f in --help|--version)
		"$GUESTCTL" $f >/dev/null; check_eq "guestctl $f: exit 0" 0 $?; continue ;;
	esac
	case $meta in
	PATH|"PATH[:PORT]") v=$T/none.sock ;;
	"CID[:PORT]") v=4294967295 ;;
	"VMID[:PORT]") v=HV_GUID_LOOPBACK ;;
	FILE) v=$T/targets ;;
	KEYFILE) v=$KEY ;;
	N) v=2 ;;
	MS) v=100 ;;
	[a-z]*|"") v="" ;;
	*) v=x ;;
	esac
	if [ -n "$v" ]; then set -- "$f" "$v"; else set -- "$f"; fi
	err=$("$GUESTCTL" "$@" --timeout 100 --unix "$T/none.sock" ping 2>&1 >/dev/null)
	rc=$?
	if [ $rc -ne 2 ] && [[ "$err" != *"unknown flag"* ]]; then
		ok "guestctl $* is accepted (exit $rc)"
	else
		not_ok "guestctl $* is accepted" "exit $rc: $err"
	fi
done
"$GUESTCTL" --no-such-flag --unix "$T/none.sock" ping 2>/dev/null
check_eq "guestctl refuses a flag not in --help: exit 2" 2 $?

for c in "${cmds[@]}"; do
	err=$("$GUESTCTL" --timeout 100 --unix "$T/none.sock" "$c" 2>&1 >/dev/null)
	if [[ "$err" == *"unknown command"* ]]; then not_ok "guestctl $c is a command" "$err"
	else ok "guestctl $c is a command"; fi
done
"$GUESTCTL" --unix "$T/none.sock" wait-ready --timeout 50 2>/dev/null
check_eq "wait-ready --timeout MS after the command word: exit 4" 4 $?

# ---- man pages ----
missing=""
for f in "${hflags[@]}"; do grep -qF -- "*$f*" "$TOP/docs/guestd.8.scd" || missing+=" $f"; done
check_eq "guestd(8) documents every --help flag" "" "$missing"
missing=""
for f in "${cflags[@]}"; do grep -qF -- "*$f*" "$TOP/docs/guestctl.1.scd" || missing+=" $f"; done
for c in "${cmds[@]}"; do grep -qF -- "*$c*" "$TOP/docs/guestctl.1.scd" || missing+=" $c"; done
check_eq "guestctl(1) documents every --help flag and command" "" "$missing"
done_testing
