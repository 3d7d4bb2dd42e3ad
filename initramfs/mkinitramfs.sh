#!/bin/bash
# Build a reproducible initramfs (newc cpio, gzip) that boots straight into guestd.
# See initramfs/README.md for the layout and the options.
set -euo pipefail

usage() {
	cat >&2 <<'EOF'
usage: mkinitramfs.sh --init PATH [--guestctl PATH] [--conf FILE] [--kernel-dir DIR]
                      [--modules a,b,c] [--extra DIR] [--out FILE]
  --init PATH        static binary that becomes /init (guestd)
  --guestctl PATH    becomes /bin/guestctl
  --conf FILE        becomes /etc/guestd.conf; a modules= line is appended
  --kernel-dir DIR   output of fetch-kernel.sh (default build/kernel)
  --modules LIST     comma-separated module names; dependencies are added.
                     "default" stands for the set a QEMU guest needs
                     (virtio console and vsock, ACPI power button and evdev)
  --extra DIR        tree copied over the image root (before the files above)
  --out FILE         default build/initramfs.cpio.gz
Environment: SOURCE_DATE_EPOCH (default 0) is the mtime of every entry.
EOF
	exit 2
}
die() { echo "mkinitramfs: $*" >&2; exit 1; }
# --modules default: virtio-serial and vsock for the host's channels, the
# ACPI button driver and evdev so the power button reaches guestd.
DEFAULT_MODULES=virtio_pci,virtio_console,vsock,vmw_vsock_virtio_transport,vsock_loopback,button,evdev

init='' guestctl='' conf='' kdir=build/kernel modules='' extra='' out=build/initramfs.cpio.gz
while [ $# -gt 0 ]; do
	case $1 in
	--init) init=${2:?}; shift 2 ;;
	--guestctl) guestctl=${2:?}; shift 2 ;;
	--conf) conf=${2:?}; shift 2 ;;
	--kernel-dir) kdir=${2:?}; shift 2 ;;
	--modules) modules=${2?}; shift 2 ;;
	--extra) extra=${2?}; shift 2 ;;
	--out) out=${2:?}; shift 2 ;;
	-h|--help) usage ;;
	*) echo "mkinitramfs: unknown option $1" >&2; usage ;;
	esac
done
[ -n "$init" ] || usage
[ "$(id -u)" = 0 ] || die "must run as root (mknod of /dev/console and /dev/null)"
[ -f "$init" ] || die "--init $init: no such file"
[ -z "$guestctl" ] || [ -f "$guestctl" ] || die "--guestctl $guestctl: no such file"
[ -z "$conf" ] || [ -f "$conf" ] || die "--conf $conf: no such file"
[ -z "$extra" ] || [ -d "$extra" ] || die "--extra $extra: not a directory"
if command -v readelf >/dev/null && readelf -l "$init" 2>/dev/null | grep -q 'Requesting program interpreter'; then
	echo "mkinitramfs: warning: $init is dynamically linked; /init must be static" >&2
fi
epoch=${SOURCE_DATE_EPOCH:-0}

umask 022
stage=$(mktemp -d)
tmpout=$out.tmp.$$
trap 'rm -rf "$stage" "$tmpout"' EXIT
mkdir -p "$stage"/{bin,sbin,etc,dev,proc,sys,run,tmp,root}

[ -z "$extra" ] || cp -a "$extra/." "$stage/"

install -m 0755 "$init" "$stage/init"
if [ -n "$guestctl" ]; then
	install -m 0755 "$guestctl" "$stage/bin/guestctl"
else
	echo "mkinitramfs: note: no --guestctl, image has no /bin/guestctl" >&2
fi
for l in poweroff reboot halt; do ln -sfn /init "$stage/sbin/$l"; done
# `guestd kv ...` for guest processes: the same binary, by its usual name.
ln -sfn /init "$stage/bin/guestd"
rm -f "$stage/dev/console" "$stage/dev/null"
mknod -m 0600 "$stage/dev/console" c 5 1
mknod -m 0666 "$stage/dev/null" c 1 3

# /etc/guestd.conf: --conf, else one from --extra, else empty; modules= goes last.
gconf=$stage/etc/guestd.conf
if [ -n "$conf" ]; then
	rm -f "$gconf"
	cat "$conf" >"$gconf"
fi
[ -f "$gconf" ] || : >"$gconf"
[ ! -s "$gconf" ] || [ -z "$(tail -c1 "$gconf")" ] || echo >>"$gconf"
chmod 0644 "$gconf"

# --- kernel modules: resolve dependencies from modules.dep, dependencies first ---
load=()
if [ -n "$modules" ]; then
	[ -f "$kdir/version" ] || die "$kdir/version missing: run initramfs/fetch-kernel.sh"
	ver=$(cat "$kdir/version")
	mdir=$kdir/modules/$ver
	[ -f "$mdir/modules.dep" ] || die "$mdir/modules.dep missing"

	declare -A path_of=() deps_of=() seen=() builtin=()
	# A module's name is its file name without .ko[.xz|.zst|.gz], '-' read as '_'.
	modname() { local b=${1##*/}; b=${b%%.ko*}; name=${b//-/_}; }
	while IFS= read -r line; do
		p=${line%%:*}
		modname "$p"; path_of[$name]=$p
		deps_of[$p]=${line#*:}
	done <"$mdir/modules.dep"
	if [ -f "$mdir/modules.builtin" ]; then
		while IFS= read -r p; do modname "$p"; builtin[$name]=1; done <"$mdir/modules.builtin"
	fi

	# modules.dep lists a module's dependencies last-to-load first; recursing on
	# each keeps the order right even if that listing is not a full closure.
	visit() {
		local p=$1 d i
		[ -z "${seen[$p]:-}" ] || return 0
		seen[$p]=1
		read -ra d <<<"${deps_of[$p]:-}"
		for ((i = ${#d[@]} - 1; i >= 0; i--)); do visit "${d[i]}"; done
		load+=("$p")
	}
	IFS=, read -ra given <<<"$modules"
	want=()
	for m in "${given[@]}"; do
		m=${m//[[:space:]]/}
		if [ "$m" = default ]; then
			IFS=, read -ra dm <<<"$DEFAULT_MODULES"
			want+=("${dm[@]}")
		else
			want+=("$m")
		fi
	done
	for m in "${want[@]}"; do
		[ -n "$m" ] || continue
		n=${m//-/_}
		if [ -n "${path_of[$n]:-}" ]; then
			visit "${path_of[$n]}"
		elif [ -n "${builtin[$n]:-}" ]; then
			echo "mkinitramfs: note: $m is built into kernel $ver, skipped" >&2
		else
			die "module $m not found in $mdir/modules.dep"
		fi
	done

	inimg=()
	# The image's own modules.dep: the staged modules, each with the staged
	# modules it needs, so guestd loads the independent ones at once.
	unz() { local q=${1%.xz}; q=${q%.zst}; printf '%s' "${q%.gz}"; }
	moddep=$stage/lib/modules/$ver/modules.dep
	mkdir -p "${moddep%/*}"
	: >"$moddep"
	for p in "${load[@]}"; do
		read -ra d <<<"${deps_of[$p]:-}"
		line="$(unz "$p"):"
		for q in "${d[@]}"; do line="$line $(unz "$q")"; done
		echo "$line" >>"$moddep"
	done
	for p in "${load[@]}"; do
		src=$mdir/$p
		[ -f "$src" ] || die "module file $src missing"
		dst=$stage/lib/modules/$ver/${p%.xz}
		dst=${dst%.zst}; dst=${dst%.gz}
		mkdir -p "${dst%/*}"
		# finit_module(2) with flags 0 needs a plain ELF: decompress here.
		case $p in
		*.ko.xz) xz -dc "$src" >"$dst" ;;
		*.ko.zst) zstd -qdc "$src" >"$dst" ;;
		*.ko.gz) gzip -dc "$src" >"$dst" ;;
		*) cp "$src" "$dst" ;;
		esac
		chmod 0644 "$dst"
		inimg+=("${dst#"$stage"}")
	done
	if [ ${#inimg[@]} -gt 0 ]; then
		(IFS=,; echo "modules=${inimg[*]}") >>"$gconf"
		echo "mkinitramfs: modules in load order:" >&2
		printf '  %s\n' "${inimg[@]}" >&2
	fi
fi

# --- archive: sorted names, fixed mtimes, root-owned, no device/inode noise ---
find "$stage" -exec touch -h -d "@$epoch" {} +
mkdir -p "$(dirname "$out")"
(cd "$stage" && find . -mindepth 1 -printf '%P\0' | LC_ALL=C sort -z |
	cpio -o -H newc --null --reproducible -R 0:0 --quiet) | gzip -n -9 >"$tmpout"
mv -f "$tmpout" "$out"
size=$(stat -c %s "$out")
echo "initramfs: $out $size bytes ($(( (size + 1023) / 1024 )) KiB)"
