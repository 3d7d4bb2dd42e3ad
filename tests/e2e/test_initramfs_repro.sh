#!/bin/bash
# The initramfs is reproducible: two builds from the same inputs give the same bytes,
# even when the inputs' mtimes, the umask and the staging directory differ.
# /init is $GUESTD if set, else a static /bin/busybox, else a tiny musl-gcc binary.
# Modules are included when build/kernel (or $KERNEL_DIR) holds a fetched kernel.
# Exit 0 when identical, 1 otherwise (with the reason).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
echo "1..1"

fail() { echo "not ok 1 - initramfs reproducible: $*"; exit 1; }
[ "$(id -u)" = 0 ] || fail "must run as root (mkinitramfs uses mknod)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

init=${GUESTD:-}
if [ -z "$init" ] && [ -x /bin/busybox ] && ! readelf -l /bin/busybox 2>/dev/null | grep -q interpreter; then
	init=/bin/busybox
fi
if [ -z "$init" ]; then
	printf 'int main(void) { return 0; }\n' >"$tmp/init.c"
	musl-gcc -static -Os -o "$tmp/init.bin" "$tmp/init.c" || fail "no GUESTD, no static busybox, musl-gcc failed"
	init=$tmp/init.bin
fi
[ -f "$init" ] || fail "init binary $init not found"

kdir=$(realpath -m "${KERNEL_DIR:-build/kernel}")
mods=()
if [ -f "$kdir/version" ]; then
	mods=(--kernel-dir "$kdir" --modules "virtio_console,vsock_loopback,virtio_pci")
else
	echo "note: no kernel in $kdir, building without modules"
fi

# Two private copies of the inputs, with different mtimes.
for i in 1 2; do
	d=$tmp/in$i
	mkdir -p "$d/extra/etc/ssl" "$d/extra/usr/share"
	cp "$init" "$d/init"
	printf 'log=info\nvsock.port=2761' >"$d/guestd.conf"
	echo "extra file" >"$d/extra/usr/share/hello.txt"
	echo "key" >"$d/extra/etc/ssl/k"
	ln -s ../share/hello.txt "$d/extra/usr/share/link"
	find "$d" -exec touch -h -d "@$((1700000000 + i * 86400))" {} +
done

build() {
	local i=$1 um=$2
	(umask "$um" && cd "$tmp/in$i" &&
		"$root/initramfs/mkinitramfs.sh" --init init --guestctl init --conf guestd.conf \
		--extra extra "${mods[@]}" --out "$tmp/out$i.cpio.gz") \
		>"$tmp/build$i.log" 2>&1 || { cat "$tmp/build$i.log"; fail "build $i failed"; }
}
build 1 022
build 2 077

a=$tmp/out1.cpio.gz b=$tmp/out2.cpio.gz
if cmp -s "$a" "$b"; then
	echo "ok 1 - initramfs reproducible ($(stat -c %s "$a") bytes, sha256 $(sha256sum <"$a" | cut -c1-16))"
	exit 0
fi
echo "sizes: $(stat -c %s "$a") vs $(stat -c %s "$b")"
cmp "$a" "$b" || true
cmp -s <(zcat "$a") <(zcat "$b") && fail "cpio payloads identical, gzip output differs"
diff <(zcat "$a" | cpio -itv --numeric-uid-gid 2>/dev/null) \
	<(zcat "$b" | cpio -itv --numeric-uid-gid 2>/dev/null) &&
	echo "same names, modes, sizes and mtimes: other header fields (inode, device numbers) or contents differ"
fail "the two builds differ"
