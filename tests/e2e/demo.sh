#!/bin/bash
# make demo: boot Debian's cloud kernel plus the guestd initramfs in QEMU,
# drive the guest from the host over virtio-serial, and power it off.
# Each step is printed with the command it runs. Exits 0 only when every
# step worked and QEMU exited by itself after the shutdown.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP"
source tests/e2e/qemu-boot.sh
GC=$TOP/build/guestctl
IMG=build/demo/initramfs.cpio.gz

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }
die() { echo "demo: $*" >&2; qb_fail "$*"; exit 1; }

step "image: guestd as /init, the virtio and vsock modules"
mkdir -p build/demo
initramfs/mkinitramfs.sh --init build/guestd --guestctl build/guestctl \
	--conf initramfs/guestd.conf --kernel-dir build/kernel \
	--modules virtio_pci,virtio_console,vsock,vmw_vsock_virtio_transport,vsock_loopback \
	--out "$IMG" | tail -n 1 || die "mkinitramfs failed"

step "boot: QEMU (clock set an hour behind on purpose)"
trap qb_stop EXIT
base=$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%S)
qb_start --initrd "$IMG" --name demo --rtc-base "$base" || die "QEMU did not start"
echo "accel $QB_ACCEL, console log $QB_LOG, serial socket $QB_SOCK"

step "wait until guestd answers (no polling of a closed port: one retrying client)"
run "$GC" --unix "$QB_SOCK" --timeout 60000 wait-ready || die "guestd never answered"
run_init=$(qb_kernel_time 'Run /init as init process')
ready=$(qb_kernel_time 'guestd: guestd .* ready')
if [ -n "$run_init" ] && [ -n "$ready" ]; then
	echo "boot-to-ready: $(awk -v a="$run_init" -v b="$ready" 'BEGIN { printf "%.3f", b - a }') s" \
	     "(kernel's \"Run /init\" at $run_init s to guestd's ready line at $ready s, $QB_ACCEL)"
fi

step "info"
run "$GC" --unix "$QB_SOCK" info || die "info failed"

step "key-value: the host writes its pool, reads it back, and reads a fact the guest publishes"
run "$GC" --unix "$QB_SOCK" kv set --pool host demo.greeting "hello from the host" || die "kv set"
run "$GC" --unix "$QB_SOCK" kv get --pool host demo.greeting || die "kv get"
run "$GC" --unix "$QB_SOCK" kv get --pool auto kernel.release || die "kv get auto"
run "$GC" --unix "$QB_SOCK" kv get --pool auto net.lo.ipv4 || die "kv get auto net"

step "time: the guest clock is an hour off; sync it and measure the residual"
run "$GC" --unix "$QB_SOCK" time || die "time"
run "$GC" --unix "$QB_SOCK" time sync || die "time sync"

step "shutdown: guestd acknowledges, stops everything, powers off; QEMU exits by itself"
run "$GC" --unix "$QB_SOCK" shutdown || die "shutdown failed"
qb_wait_exit 30 || die "QEMU did not exit after the shutdown"
echo "QEMU exited ($(qb_exit_kind)), status $QB_STATUS"
step "demo done"
