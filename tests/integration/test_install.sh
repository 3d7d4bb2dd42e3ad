#!/bin/bash
# make man renders both pages; make install PREFIX=/usr/local DESTDIR=...
# puts binaries, man pages and the systemd unit where they belong.
source "$(dirname "$0")/../lib/lib.sh"

make -C "$TOP" --no-print-directory man >"$T/man.log" 2>&1
check_eq "make man: exit 0" 0 $?
for page in guestd.8 guestctl.1; do
	f=$TOP/build/man/$page
	out=$(MANPAGER=cat MANWIDTH=80 man -l "$f" 2>"$T/$page.warn")
	check_eq "man -l $page: exit 0" 0 $?
	check_match "$page renders its title" "^${page%.*}\(${page#*.}\)" "$out"
	check_match "$page renders NAME and EXIT STATUS" "NAME.*EXIT STATUS" "$(tr '\n' ' ' <<<"$out")"
	MANPAGER=cat MANWIDTH=80 man --warnings -l "$f" >/dev/null 2>"$T/$page.groff"
	check_eq "$page: no groff warnings" "" "$(cat "$T/$page.groff")"
done
check_match "guestctl(1) describes the hybrid handshake" "CONNECT PORT" \
	"$(MANPAGER=cat man -l "$TOP/build/man/guestctl.1" 2>/dev/null)"

R=$T/root
make -C "$TOP" --no-print-directory install PREFIX=/usr/local DESTDIR="$R" >"$T/install.log" 2>&1
check_eq "make install PREFIX=/usr/local DESTDIR=...: exit 0" 0 $?
for f in sbin/guestd bin/guestctl; do
	check "installed /usr/local/$f is executable" test -x "$R/usr/local/$f"
done
check_eq "installed guestd runs" "guestd" "$("$R/usr/local/sbin/guestd" --version | awk '{print $1}')"
check_eq "installed guestctl runs" "guestctl" "$("$R/usr/local/bin/guestctl" --version | awk '{print $1}')"
for f in man8/guestd.8 man1/guestctl.1; do
	check "installed /usr/local/share/man/$f" test -f "$R/usr/local/share/man/$f"
done
out=$(MANPATH="$R/usr/local/share/man" MANPAGER=cat man guestctl 2>/dev/null)
check_match "man finds the installed guestctl page" "guestctl - talk to guestd agents" "$out"
U=$R/usr/local/lib/systemd/system/guestd.service
check "installed the systemd unit" test -f "$U"
check_match "unit runs the installed guestd" "ExecStart=/usr/local/sbin/guestd " "$(cat "$U")"
check_match "unit restarts always" "Restart=always" "$(cat "$U")"
make -C "$TOP" --no-print-directory install PREFIX=/opt/gd DESTDIR="$T/root2" >/dev/null 2>&1
check_match "PREFIX=/opt/gd: the unit's ExecStart follows" "ExecStart=/opt/gd/sbin/guestd " \
	"$(cat "$T/root2/opt/gd/lib/systemd/system/guestd.service" 2>&1)"
check "PREFIX=/opt/gd: guestd in /opt/gd/sbin" test -x "$T/root2/opt/gd/sbin/guestd"

if command -v systemd-analyze >/dev/null; then
	# point ExecStart at the installed binary, man at the installed pages
	sed "s|/usr/local/sbin/guestd|$R/usr/local/sbin/guestd|" "$U" >"$T/guestd.service"
	out=$(MANPATH="$R/usr/local/share/man" systemd-analyze verify "$T/guestd.service" 2>&1)
	check_eq "systemd-analyze verify: the unit is clean" "" "$out"
else
	ok "# SKIP systemd-analyze not installed"
fi
done_testing
