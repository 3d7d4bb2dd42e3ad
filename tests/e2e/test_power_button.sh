#!/bin/bash
# The ACPI power button reaches guestd as PID 1: QEMU's `system_powerdown`
# on the monitor (what `virsh shutdown --mode acpi`, Proxmox VE and libvirt
# send when no agent is asked) on the default image (mkinitramfs --modules
# default: button and evdev included). QEMU must exit by itself within the
# grace, after guestd's ordered power off; the console shows who asked.
# A second boot with guestd.power-button=reboot sees the restart, a third
# with power-button=ignore keeps running.
#
# Needs root (mkinitramfs makes device nodes), qemu-system-x86_64, socat
# (the monitor) and Debian's cloud kernel (fetched into build/kernel).
source "$(dirname "$0")/../lib/lib.sh"
source "$(dirname "$0")/qemu-boot.sh"
source "$(dirname "$0")/../lib/pidns.sh" # in_order

GRACE_MS=5000 # guestd's default shutdown grace: QEMU must be gone well within it
reason=$(qb_skip_reason)
[ -z "$reason" ] || skip_all "$reason"
command -v socat >/dev/null || skip_all "no socat for the QEMU monitor"
[[ "$(file -L "$GUESTD")" == *"statically linked"* ]] || skip_all "needs the static guestd"
"$GUESTD" --help | grep -q -- '--power-button ' || skip_all "this guestd has no power-button key"
QB_LOGDIR=$TOP/build/e2e

IMG=$T/default.cpio.gz
"$TOP/initramfs/mkinitramfs.sh" --init "$GUESTD" --guestctl "$GUESTCTL" \
	--conf "$TOP/initramfs/guestd.conf" --kernel-dir "$TOP/build/kernel" --modules default \
	--out "$IMG" >"$T/mkinitramfs.log" 2>&1
check "the default image is built, with button and evdev" sh -c \
	"zcat '$IMG' | cpio -t 2>/dev/null | grep -q 'button.ko' && zcat '$IMG' | cpio -t 2>/dev/null | grep -q 'evdev.ko'"

# boot NAME [KERNEL ARGS]: start the default image and wait until guestd
# has opened its power-button paths. 0 when ready.
boot() {
	qb_start --initrd "$IMG" --name "$1" --append " ${2:-}" --monitor
	qb_wait_line "guestd [0-9.]+ ready as PID 1" 90 || return 1
	qb_wait_line "power button: power-button=" 10
}
# press: system_powerdown on the monitor; prints the epoch microseconds.
press() { qb_monitor system_powerdown >/dev/null; _qb_us; }

# --- power-button=poweroff (default) --------------------------------------------
if ! boot button-poweroff; then
	qb_fail "guestd did not report its power-button paths"
	not_ok "the default image boots and watches the power button"
else
	ok "the default image boots and watches the power button"
	grep -a 'power button:' "$QB_LOG" | sed 's/^/# guest: /'
	check "the input path is open: KEY_POWER on an input device" \
		grep -qaE 'power button: power-button=poweroff; .*/dev/input/event[0-9]+ \(.*\).* with KEY_POWER' "$QB_LOG"
	check "the power button's paths in one line: ACPI netlink and the input devices" \
		test "$(grep -ac 'guestd: power button:' "$QB_LOG")" -eq 1
	t0=$(press)
	qb_wait_exit $((GRACE_MS / 1000 + 30)); rc=$?
	took=$(( ($(_qb_us) - t0) / 1000 ))
	check_eq "QEMU exits by itself after system_powerdown" 0 $rc
	check_eq "... the guest powered off" poweroff "$(qb_exit_kind)"
	check "... within the grace, ${took} ms after the press" test "$took" -lt "$GRACE_MS"
	check "the console shows the ordered power off, asked by the power button" in_order "$QB_LOG" \
		"guestd: poweroff: power button" "sent SIGTERM to all processes" \
		"sync, unmount, poweroff" "reboot: Power down"
	grep -a 'guestd: poweroff: power button' "$QB_LOG" | sed 's/^/# guest: /'
fi
qb_stop

# --- power-button=reboot ----------------------------------------------------------
if ! boot button-reboot "guestd.power-button=reboot"; then
	qb_fail "guestd did not report its power-button paths"
	not_ok "power-button=reboot: boots"
else
	check "power-button=reboot taken from the kernel command line" \
		grep -qa 'power button: power-button=reboot' "$QB_LOG"
	press >/dev/null
	qb_wait_exit $((GRACE_MS / 1000 + 30)); rc=$?
	check_eq "QEMU exits (-no-reboot) after system_powerdown" 0 $rc
	check_eq "... the guest restarted" restart "$(qb_exit_kind)"
	check "... through the ordered sequence, asked by the power button" in_order "$QB_LOG" \
		"guestd: reboot: power button" "sync, unmount, reboot" "reboot: Restarting system"
fi
qb_stop

# --- power-button=ignore ----------------------------------------------------------
if ! boot button-ignore "guestd.power-button=ignore"; then
	qb_fail "guestd did not report its power-button paths"
	not_ok "power-button=ignore: boots"
else
	press >/dev/null
	check "power-button=ignore: the press is logged" qb_wait_line "power button.*ignore" 15
	sleep 2
	check "... and the guest keeps running" qb_running
	check "... and serving" quiet "$GUESTCTL" --timeout 5000 --unix "$QB_SOCK" ping
fi
qb_stop
done_testing
