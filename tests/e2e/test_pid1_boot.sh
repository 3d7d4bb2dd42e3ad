#!/bin/bash
# guestd as the real PID 1 of a QEMU guest (Debian's cloud kernel, an
# initramfs holding only guestd and guestctl): the API filesystems mounted
# on an empty root, modules loaded in order, loopback up, and three ways to
# stop it: `poweroff` run in the guest, SHUTDOWN over AF_VSOCK, and
# Ctrl-Alt-Del sent by QEMU (SIGINT once guestd turned the kernel's
# instant reboot off).
source "$(dirname "$0")/../lib/lib.sh"
source "$(dirname "$0")/qemu-boot.sh"
source "$(dirname "$0")/../lib/pidns.sh" # in_order, PY

KDIR=$TOP/build/kernel
MODULES=virtio_pci,virtio_console,vsock,vmw_vsock_virtio_transport,vsock_loopback
if [ ! -f "$KDIR/vmlinuz" ]; then
	ok "# SKIP no kernel in build/kernel (make kernel)"
	done_testing; exit
fi
if [[ "$(file -L "$GUESTD")" != *"statically linked"* ]] || [ "$(id -u)" != 0 ]; then
	ok "# SKIP needs the static guestd and root (mknod)"
	done_testing; exit
fi
QB_KERNEL=$KDIR/vmlinuz
QB_LOGDIR=$TOP/build/e2e

printf 'serial=org.guestd.0\nallow-cid=1\n' >"$T/guestd.conf"
IMG=$T/pid1.cpio.gz
"$TOP/initramfs/mkinitramfs.sh" --init "$GUESTD" --guestctl "$GUESTCTL" \
	--conf "$T/guestd.conf" --kernel-dir "$KDIR" --modules "$MODULES" \
	--out "$IMG" >"$T/mkinitramfs.log" 2>&1
check "initramfs built" test -s "$IMG"

# boot NAME [KERNEL ARGS] [-- QEMU ARGS]: start a guest, wait for guestd.
boot() {
	local name=$1 append=${2:-}
	shift 2 2>/dev/null || shift
	qb_start --initrd "$IMG" --name "pid1-$name" --append "$append" "$@"
	qb_wait_line "guestd [0-9.]+ ready as PID 1" 90
}
# log_has RE: the console shows a guestd line matching RE.
log_has() { grep -qE -- "guestd: .*$1" "$QB_LOG"; }

# --- `poweroff` run inside the guest (the workload here) --------------------
boot poweroff "guestd.exec=/sbin/poweroff" || qb_fail "poweroff guest did not start"
qb_wait_exit 90
check_eq "'poweroff' in the guest: the machine powers off" poweroff "$(qb_exit_kind)"
for fs in "proc on /proc" "sysfs on /sys" "devtmpfs on /dev" "devpts on /dev/pts" \
	"tmpfs on /dev/shm" "tmpfs on /run"; do
	check "mounted $fs on an empty initramfs" log_has "mounted .*$fs"
done
check "the mounts in one line, in kmsg with the kernel's time stamp" \
	grep -qE '^\[ *[0-9]+\.[0-9]+\] guestd: mounted proc on /proc, sysfs on /sys, ' "$QB_LOG"
check "loopback brought up" log_has "loopback up"
check "modules loaded in one line, in order, vsock_loopback last" in_order "$QB_LOG" \
	"[0-9]+ modules loaded in [0-9]+ ms, [0-9]+ waves[^(]* \(0 already loaded, 0 failed\): virtio_ring .*vsock .*vsock_loopback" \
	"listening on vsock port 2761"
check "the ready line is in kmsg, with the kernel's time stamp" \
	grep -qE '^\[ *[0-9]+\.[0-9]+\] guestd: guestd [0-9.]+ ready as PID 1' "$QB_LOG"
check "no Ctrl-Alt-Del error as the machine's PID 1" sh -c "! grep -q 'Ctrl-Alt-Del stays' '$QB_LOG'"
check "ordered: request, SIGTERM, sync and unmount, power off" in_order "$QB_LOG" \
	"poweroff: SIGRTMIN\+4 \(systemd\) from pid [0-9]+" "sent SIGTERM to all processes" \
	"sync, unmount, poweroff" "unmounted /run" "unmounted /proc" "reboot: Power down"
check "every guestd line reached the console (kmsg burst limit kept)" \
	sh -c "! grep -q 'output lines suppressed' '$QB_LOG'"
t_init=$(qb_kernel_time 'Run /init')
t_ready=$(qb_kernel_time 'ready as PID 1')
t_off=$(qb_kernel_time 'reboot: Power down')
echo "# kernel clock: /init ${t_init}s, ready ${t_ready}s, power down ${t_off}s (accel $QB_ACCEL)"
qb_stop

# --- SHUTDOWN over AF_VSOCK: guestctl in the guest, through vsock_loopback --
# (the host's own path, virtio-serial, is exercised by the serial tests)
boot vsock 'guestd.on-exit=stay guestd.exec="/bin/guestctl --vsock 1 --timeout 10000 shutdown --reboot --grace 2000"' ||
	qb_fail "guest did not start"
qb_wait_exit 60
check_eq "guestctl shutdown --reboot over vsock: the guest restarts" restart "$(qb_exit_kind)"
# (guestctl itself may not print the answer: it is in the guest, and
# SIGTERM reaches it right after the acknowledgement.)
check "request from vsock, then the ordered reboot" in_order "$QB_LOG" \
	"reboot: request from the host \(vsock:1:[0-9]+\) \(grace 2000 ms\)" \
	"sent SIGTERM to all" "sync, unmount, reboot" "reboot: Restarting system"
qb_stop

# --- Ctrl-Alt-Del from QEMU: SIGINT to guestd, ordered power off ------------
MON=$T/mon.sock
boot cad "" -- -monitor "unix:$MON,server=on,wait=off" || qb_fail "guest did not start"
$PY - "$MON" <<'PYEOF'
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"sendkey ctrl-alt-delete\n")
time.sleep(0.5)
PYEOF
qb_wait_exit 60
check_eq "Ctrl-Alt-Del: the machine powers off, in order" poweroff "$(qb_exit_kind)"
check "Ctrl-Alt-Del reached guestd as SIGINT" in_order "$QB_LOG" \
	"poweroff: SIGINT \(Ctrl-Alt-Del\) from pid 0" "sync, unmount, poweroff" "reboot: Power down"
qb_stop

done_testing
