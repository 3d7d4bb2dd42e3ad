#!/bin/bash
# A real guest driven from the host (issue 4): Debian's cloud kernel and an
# initramfs with guestd as /init, in QEMU (TCG).
#  1. host to guest over virtio-serial: ping, info, key-value both ways with
#     a workload inside the guest, shutdown (power off) and, on a second
#     boot, shutdown --reboot; QEMU (-no-reboot) exits by itself each time,
#     and guestd answers within 30 s of boot.
#  2. real AF_VSOCK inside the guest: guestd loads vsock, its virtio
#     transport and vsock_loopback and listens on 2761; the workload runs
#     guestctl against CID 1 (allowed by this image's allow-cid=1 only) and
#     receives a second agent's sd_notify READY=1 on the loopback CID.
source "$(dirname "$0")/../lib/lib.sh"
source "$(dirname "$0")/qemu-boot.sh"

KDIR=$TOP/build/kernel
[ "$MODE" = release ] || skip_all "QEMU e2e runs in the release pass only (static binaries)"
[ "$(id -u)" = 0 ] || skip_all "needs root to build the initramfs"
[ -f "$KDIR/vmlinuz" ] || skip_all "no kernel in build/kernel (make kernel)"
[ -x /bin/busybox ] || skip_all "no /bin/busybox (Debian's busybox-static)"
QB_KERNEL=$KDIR/vmlinuz
QB_LOGDIR=$TOP/build/e2e
QB_ACCEL=tcg
MODULES=virtio_pci,virtio_console,vsock,vmw_vsock_virtio_transport,vsock_loopback

# The image: guestd, guestctl, busybox for the workload's shell.
mkdir -p "$T/extra/bin"
cp /bin/busybox "$T/extra/bin/busybox"
for app in sh sleep cat tr grep; do ln -s busybox "$T/extra/bin/$app"; done
install -m 0755 "$TOP/tests/e2e/guest/workload.sh" "$T/extra/bin/workload.sh"
cat >"$T/guestd.conf" <<'CONF'
serial=org.guestd.0
allow-cid=1
CONF
cp "$T/guestd.conf" "$T/guestd-wl.conf"
echo "exec=/bin/sh /bin/workload.sh" >>"$T/guestd-wl.conf"
for img in plain wl; do
	conf=$T/guestd.conf; [ $img = wl ] && conf=$T/guestd-wl.conf
	"$TOP/initramfs/mkinitramfs.sh" --init "$GUESTD" --guestctl "$GUESTCTL" \
		--conf "$conf" --kernel-dir "$KDIR" --modules "$MODULES" \
		--extra "$T/extra" --out "$T/$img.cpio.gz" >"$T/mk-$img.log" 2>&1
	check "initramfs ($img) built" test -s "$T/$img.cpio.gz"
done
trap 'qb_stop; cleanup' EXIT

gc() { "$GUESTCTL" --unix "$QB_SOCK" "$@"; }
# wl_line RE [T]: the workload printed a "WL:" line matching RE.
wl_line() { qb_wait_line "WL: $1" "${2:-60}"; }

# --- boot 1: serial, vsock inside, notify, KV both ways, power off ----------
qb_start --initrd "$T/wl.cpio.gz" --name guest-serial || qb_fail "QEMU did not start"
t0=$(_qb_us)
gc --timeout 30000 wait-ready >/dev/null
rc=$?
up=$(_qb_since "$t0")
check_eq "guestd answers over virtio-serial within 30 s of boot (${up} s)" 0 $rc
[ $rc = 0 ] || { qb_fail "no answer over virtio-serial"; done_testing; exit 1; }
check "ping over virtio-serial" gc --timeout 10000 ping
out=$(gc --timeout 10000 --json info)
check_match "info over virtio-serial: PID 1, guest kernel" '"kernel":"6\.1\..*"pid":1,' "$out"

check "vsock inside the guest: guestctl --vsock 1 ping" wl_line "vsock ping ok"
check "vsock inside the guest: info (protocol 1, served by PID 1)" \
	wl_line "vsock info protocol_version 1 pid 1"
check "guestd listened on vsock 2761 in the guest" grep -q "listening on vsock port 2761" "$QB_LOG"
check "sd_notify READY=1 received on the loopback CID" wl_line "notify ok: .*READY=1"

check "host sets a host-pool key" gc --timeout 10000 kv set --pool host e2e.from-host "hello guest"
check "the workload inside the guest reads it" wl_line "host key = hello guest"
out=$(gc --timeout 30000 kv wait --pool guest --for 30000 e2e.from-guest)
check_eq "the host reads the key the workload wrote" "hello host" "$out"
check "host tells the workload it is done" gc --timeout 10000 kv set --pool host e2e.done 1
check "workload finished" wl_line "workload done"

out=$(gc --timeout 10000 shutdown)
check_match "shutdown acknowledged over virtio-serial" "poweroff acknowledged" "$out"
qb_wait_exit 60; rc=$?
check_eq "QEMU exits by itself after the shutdown" 0 $rc
check_eq "the guest powered off" poweroff "$(qb_exit_kind)"
[ "$(qb_exit_kind)" = poweroff ] || qb_fail "power off over serial"
[ "$_failed" = 0 ] || QB_KEEP=1 # keep the console log of a failed boot
qb_stop

# --- boot 2: shutdown --reboot over virtio-serial ---------------------------
qb_start --initrd "$T/plain.cpio.gz" --name guest-reboot || qb_fail "QEMU did not start"
check "second boot answers within 30 s" gc --timeout 30000 wait-ready
out=$(gc --timeout 10000 shutdown --reboot)
check_match "reboot acknowledged over virtio-serial" "reboot acknowledged" "$out"
qb_wait_exit 60; rc=$?
check_eq "QEMU (-no-reboot) exits by itself after the reboot" 0 $rc
check_eq "the guest restarted" restart "$(qb_exit_kind)"
[ "$(qb_exit_kind)" = restart ] || qb_fail "reboot over serial"
[ "$_failed" = 0 ] || QB_KEEP=1
done_testing
