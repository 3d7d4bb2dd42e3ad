#!/bin/sh
# Install the Debian packages the build and tests need (idempotent).
# Not root: print the exact command instead.
PKGS="musl-tools libbearssl-dev libjsmn-dev libcmocka-dev gcc make clang file binutils \
python3 socat cpio kmod qemu-system-x86 busybox-static util-linux procps scdoc man-db groff-base \
gcc-mingw-w64-x86-64 wine64 tzdata iproute2 cppcheck clang-tidy acpica-tools e2fsprogs \
libvirt-daemon-system libvirt-daemon-driver-qemu libvirt-clients"
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
	echo "deps: apt-get failed" >&2
	exit 1
}
