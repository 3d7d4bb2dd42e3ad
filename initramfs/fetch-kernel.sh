#!/bin/bash
# Fetch Debian's cloud kernel (never compile one) and unpack it for the initramfs:
#   OUTDIR/vmlinuz, OUTDIR/modules/<ver>/..., OUTDIR/version
# Usage: fetch-kernel.sh [OUTDIR]   (default build/kernel)
set -euo pipefail

out=${1:-build/kernel}
meta=linux-image-cloud-amd64

if [ -f "$out/vmlinuz" ] && [ -f "$out/version" ] &&
   [ -f "$out/modules/$(cat "$out/version")/modules.dep" ]; then
	echo "kernel $(cat "$out/version") already in $out"
	exit 0
fi

# The metapackage depends on exactly one versioned image package.
lookup() {
	apt-cache depends "$meta" 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[^ ]*-cloud-amd64\)$/\1/p' | head -n1
}
pkg=$(lookup || true)
if [ -z "$pkg" ]; then
	apt-get update -qq
	pkg=$(lookup || true)
fi
[ -n "$pkg" ] || { echo "fetch-kernel: cannot resolve the package behind $meta" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# As root apt warns that _apt cannot reach the dir and downloads unsandboxed: harmless.
(cd "$tmp" && apt-get download -q "$pkg" >/dev/null)
deb=$(ls "$tmp"/*.deb)
dpkg-deb -x "$deb" "$tmp/root"

ver=$(ls "$tmp/root/lib/modules")
[ "$(echo "$ver" | wc -l)" = 1 ] || { echo "fetch-kernel: expected one modules dir, got: $ver" >&2; exit 1; }
[ -f "$tmp/root/boot/vmlinuz-$ver" ] || { echo "fetch-kernel: no /boot/vmlinuz-$ver in $pkg" >&2; exit 1; }

# Debian's package ships no modules.dep (its postinst runs depmod): make it here.
command -v depmod >/dev/null || PATH=$PATH:/usr/sbin:/sbin
depmod -b "$tmp/root" "$ver"

rm -rf "$out"
mkdir -p "$out/modules"
cp "$tmp/root/boot/vmlinuz-$ver" "$out/vmlinuz"
cp "$tmp/root/boot/config-$ver" "$out/config"
mv "$tmp/root/lib/modules/$ver" "$out/modules/$ver"
echo "$ver" >"$out/version"
echo "kernel $ver ($pkg) -> $out ($(stat -c %s "$out/vmlinuz") bytes vmlinuz)"
