#!/bin/sh
# Packages `make bench` needs beyond `make deps` (idempotent, quiet):
# the peer (qemu-ga), tini for the size reference, valgrind (callgrind
# instruction counts) and strace (syscall counts).
PKGS="qemu-guest-agent tini valgrind strace"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
cmd="apt-get install -y -qq --no-install-recommends$missing"
if [ "$(id -u)" != 0 ]; then
	echo "missing packages:$missing" >&2
	echo "run as root: apt-get update && $cmd" >&2
	exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null && $cmd >/dev/null || {
	echo "bench deps: apt-get failed" >&2
	exit 1
}
