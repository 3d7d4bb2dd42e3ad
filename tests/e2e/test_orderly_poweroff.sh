#!/bin/bash
# The kernel's own shutdown request reaches guestd: orderly_poweroff(),
# which Hyper-V's shutdown integration service (hv_utils), thermal
# protection and other drivers call, runs /sbin/poweroff as a usermode
# helper; in guestd's initramfs that is a link to guestd, which asks PID 1
# (guestd) for its ordered shutdown. The trigger here is real: an ACPI
# thermal zone (hot_zone.asl, compiled with iasl and added to QEMU's ACPI
# tables) crosses its critical trip a while after boot, and the kernel's
# built-in ACPI thermal driver (CONFIG_ACPI_THERMAL=y in Debian's cloud
# kernel) calls hw_protection_shutdown().
source "$(dirname "$0")/../lib/lib.sh"
source "$(dirname "$0")/qemu-boot.sh"
source "$(dirname "$0")/../lib/pidns.sh" # in_order

KDIR=$TOP/build/kernel
HOT_AFTER_S=15 # the zone overheats at this uptime; guestd must be ready first
reason=$(qb_skip_reason)
[ -z "$reason" ] || skip_all "$reason"
command -v iasl >/dev/null || skip_all "no iasl (apt-get install acpica-tools)"
[[ "$(file -L "$GUESTD")" == *"statically linked"* ]] || skip_all "needs the static guestd"
QB_KERNEL=$KDIR/vmlinuz
QB_LOGDIR=$TOP/build/e2e

sed "s/HOT_AFTER/$((HOT_AFTER_S * 10000000))/" "$TOP/tests/e2e/hot_zone.asl" >"$T/hot_zone.asl"
(cd "$T" && iasl -p hot_zone hot_zone.asl) >"$T/iasl.log" 2>&1
check "hot_zone.asl compiles to an SSDT" test -s "$T/hot_zone.aml"
: >"$T/guestd.conf"
IMG=$T/orderly.cpio.gz
"$TOP/initramfs/mkinitramfs.sh" --init "$GUESTD" --guestctl "$GUESTCTL" \
	--conf "$T/guestd.conf" --kernel-dir "$KDIR" --modules virtio_pci,virtio_console \
	--out "$IMG" >"$T/mkinitramfs.log" 2>&1
check "initramfs built, /sbin/poweroff a link to guestd" sh -c \
	"cd '$T' && zcat '$IMG' | cpio -tv 2>/dev/null | grep -q 'sbin/poweroff -> /init'"

qb_start --initrd "$IMG" --name orderly-poweroff -- -acpitable "file=$T/hot_zone.aml"
qb_wait_line "guestd [0-9.]+ ready as PID 1" 90 || qb_fail "guest did not start"
check "the kernel sees the thermal zone" grep -q "Thermal Zone \[HOT0\] (30 C)" "$QB_LOG"
qb_wait_exit $((HOT_AFTER_S + 60))
t_ready=$(qb_kernel_time 'ready as PID 1')
t_hot=$(qb_kernel_time 'critical temperature reached')
echo "# kernel clock: guestd ready ${t_ready:-?}s, critical trip ${t_hot:-?}s, accel $QB_ACCEL"
if [ -n "$t_ready" ] && [ -n "$t_hot" ] && [ "${t_ready%.*}" -ge "${t_hot%.*}" ]; then
	ok "# SKIP guestd was ready only after the trip (${t_ready}s >= ${t_hot}s): a very slow guest"
else
	check_eq "the machine powers off" poweroff "$(qb_exit_kind)"
	check "the kernel asks: critical trip, hardware protection shutdown" in_order "$QB_LOG" \
		"acpitz: critical temperature reached, shutting down" \
		"HARDWARE PROTECTION shutdown \(Temperature too high\)"
	check "/sbin/poweroff (guestd) asks PID 1, then the ordered power off" in_order "$QB_LOG" \
		"HARDWARE PROTECTION shutdown" \
		"guestd: poweroff: SIGRTMIN\+4 \(systemd\) from pid [0-9]+" \
		"sent SIGTERM to all processes" "sync, unmount, poweroff" \
		"unmounted /proc" "reboot: Power down"
	check "not the kernel's emergency power off" sh -c \
		"! grep -qE 'emergency|Failed to start orderly shutdown' '$QB_LOG'"
fi
qb_stop
done_testing
