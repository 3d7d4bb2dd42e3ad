#!/bin/bash
# guestd driven by Debian's libvirt exactly as users' hosts drive qemu-ga:
# a libvirt domain (TCG) boots Debian's cloud kernel with a guestd
# initramfs, a virtio-blk ext4 disk the workload mounts and writes to, and
# the org.qemu.guest_agent.0 channel; then virsh: domfsfreeze/domfsthaw
# (what snapshot-create --quiesce does), domfsinfo, guestinfo (every
# group), guestvcpus, domfstrim, domtime, qemu-agent-command guest-exec and
# guest-exec-status, and shutdown --mode agent.
#
# virtlogd and libvirtd are started here (as root) when they are not
# running, and stopped again. Needs root, qemu-system-x86_64, libvirt
# (libvirt-daemon-driver-qemu, libvirt-clients), mkfs.ext4, a static
# busybox and Debian's cloud kernel.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/e2e/qemu-boot.sh"
source "$TOP/tests/pidns.sh" # quiet

why=$(qb_skip_reason)
[ -z "$why" ] || skip_all "$why"
command -v virsh >/dev/null && command -v libvirtd >/dev/null ||
	skip_all "no libvirt (libvirt-daemon-driver-qemu, libvirt-clients)"
command -v mkfs.ext4 >/dev/null || skip_all "no mkfs.ext4 (e2fsprogs)"
BUSYBOX=$(command -v busybox) || skip_all "no busybox"
file -L "$BUSYBOX" | grep -q 'statically linked' || skip_all "busybox is not static"
"$GUESTD" --help | grep -q -- '--fsfreeze-hook-dir' || skip_all "guestd without fsfreeze"

DOM=guestd-e2e-$$
# libvirt runs QEMU as libvirt-qemu: the files live where it may read them
# (libvirt-daemon-system makes the folder).
D=$(mktemp -d /var/lib/libvirt/images/guestd-e2e.XXXXXX 2>/dev/null) && [ -d "$D" ] ||
	skip_all "no /var/lib/libvirt/images (libvirt-daemon-system)"
chmod 0755 "$D"
started=()
stop_libvirt() {
	virsh -q destroy "$DOM" >/dev/null 2>&1
	virsh -q undefine "$DOM" >/dev/null 2>&1
	local p
	for p in "${started[@]}"; do kill "$p" 2>/dev/null; done
	[ -n "$D" ] && rm -rf "$D"
}
trap 'stop_libvirt; cleanup' EXIT

# --- the image: guestd as /init, the disk writer as its workload -------------
truncate -s 64M "$D/disk.img" && mkfs.ext4 -q -F "$D/disk.img"
musl-gcc -static -Os -o "$T/fs_writer" "$TOP/tests/e2e/fs_writer.c" ||
	skip_all "cannot build the workload"
mkdir -p "$T/extra/bin"
cp "$T/fs_writer" "$T/extra/bin/fs_writer"
cp "$BUSYBOX" "$T/extra/bin/busybox"
for app in sh echo cat; do ln -s busybox "$T/extra/bin/$app"; done
printf 'exec=/bin/fs_writer\non-exit=stay\n' >"$T/guestd.conf"
"$TOP/initramfs/mkinitramfs.sh" --init "$GUESTD" --guestctl "$GUESTCTL" --conf "$T/guestd.conf" \
	--kernel-dir "$TOP/build/kernel" --modules virtio_pci,virtio_console,virtio_blk \
	--extra "$T/extra" --out "$D/img.cpio.gz" >"$T/mkinitramfs.log" 2>&1
cp "$TOP/build/kernel/vmlinuz" "$D/vmlinuz"
chmod 0644 "$D/vmlinuz" "$D/img.cpio.gz" "$D/disk.img"
check "initramfs built" test -s "$D/img.cpio.gz"

# --- libvirt's daemons --------------------------------------------------------
start_daemon() { # NAME: start it unless running; remember what we started
	pgrep -x "$1" >/dev/null && return 0
	"$1" -d || return 1
	for _ in $(seq 50); do
		pgrep -x "$1" >/dev/null && { started+=("$(pgrep -x "$1")"); return 0; }
		sleep 0.1
	done
	return 1
}
start_daemon virtlogd && start_daemon libvirtd || skip_all "libvirtd does not start"
for _ in $(seq 50); do virsh -q version >/dev/null 2>&1 && break; sleep 0.2; done
check "libvirtd answers virsh" quiet virsh -q version

cat >"$D/domain.xml" <<XML
<domain type='qemu'>
  <name>$DOM</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$D/vmlinuz</kernel>
    <initrd>$D/img.cpio.gz</initrd>
    <cmdline>console=ttyS0 panic=-1 printk.time=1</cmdline>
  </os>
  <features><acpi/></features>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>$(command -v qemu-system-x86_64)</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='$D/disk.img'/>
      <target dev='vda' bus='virtio'/>
      <serial>gd-libvirt</serial>
    </disk>
    <serial type='file'><source path='$D/console.log'/><target port='0'/></serial>
    <channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>
    <memballoon model='none'/>
  </devices>
</domain>
XML
check "virsh define" quiet virsh define "$D/domain.xml"
check "virsh start" quiet virsh start "$DOM"

# agent ARGS...: virsh qemu-agent-command with libvirt's own guest-sync first.
agent() { virsh qemu-agent-command "$DOM" --timeout 30 "$@" 2>&1; }
up=0
for _ in $(seq 60); do
	virsh qemu-agent-command "$DOM" --timeout 3 '{"execute":"guest-ping"}' 2>&1 |
		grep -q '"return":{}' && { up=1; break; }
	sleep 1
done
check_eq "the agent answers libvirt over org.qemu.guest_agent.0" 1 "$up"
for _ in $(seq 100); do grep -q "fs_writer: mounted" "$D/console.log" 2>/dev/null && break; sleep 0.2; done
check "the workload mounted the virtio-blk disk" grep -q "fs_writer: mounted /dev/vda" "$D/console.log"

# --- freeze and thaw, as snapshot-create --quiesce does -------------------------
out=$(virsh domfsfreeze "$DOM" 2>&1)
check_match "virsh domfsfreeze: one filesystem frozen" "Froze 1 filesystem" "$out"
check_match "... guest-fsfreeze-status says frozen" '"return":"frozen"' \
	"$(agent '{"execute":"guest-fsfreeze-status"}')"
sleep 2
out=$(virsh domfsthaw "$DOM" 2>&1)
check_match "virsh domfsthaw: one filesystem thawed" "Thawed 1 filesystem" "$out"
check_match "... and thawed" '"return":"thawed"' "$(agent '{"execute":"guest-fsfreeze-status"}')"
out=$(virsh domfsfreeze "$DOM" --mountpoint /mnt/data 2>&1)
check_match "virsh domfsfreeze --mountpoint /mnt/data (guest-fsfreeze-freeze-list)" "Froze 1 filesystem" "$out"
check_match "virsh domfsthaw after it" "Thawed 1 filesystem" "$(virsh domfsthaw "$DOM" 2>&1)"

# --- inventory ----------------------------------------------------------------
out=$(virsh domfsinfo "$DOM" 2>&1)
echo "$out" | sed 's/^/# /'
check_match "virsh domfsinfo: /mnt/data, ext4, on vda" "/mnt/data +vda[0-9]* +ext4 +vda" "$out"
out=$(virsh guestinfo "$DOM" 2>&1); rc=$?
echo "$out" | grep -E '^(os\.id|hostname|timezone\.name|fs\.count|fs\.0\.mountpoint|disk\.count|user\.count)' | sed 's/^/# /'
check_eq "virsh guestinfo (every group) exits 0" 0 $rc
check_match "... the filesystems" "fs\.0\.mountpoint +: /mnt/data" "$out"
check_match "... the disks" "disk\.count +: [1-9]" "$out"
check_match "... the users" "user\.count +: [0-9]" "$out"
check_match "... the OS, hostname and timezone" "hostname +: .*" "$out"
out=$(virsh guestvcpus "$DOM" 2>&1)
check_match "virsh guestvcpus: vcpu 0 online" "vcpus +: 0.*online +: 0" "$(tr '\n' ' ' <<<"$out")"
check "virsh domfstrim" quiet virsh domfstrim "$DOM"
check_match "virsh domtime" "Time: [0-9]+" "$(virsh domtime "$DOM" 2>&1)"

# --- guest-exec through libvirt --------------------------------------------------
out=$(agent '{"execute":"guest-exec","arguments":{"path":"/bin/echo","arg":["hello","from","guestd"],"capture-output":true}}')
pid=$(sed -n 's/.*"pid":\([0-9]*\).*/\1/p' <<<"$out")
check "qemu-agent-command guest-exec: a pid ($out)" test -n "$pid"
for _ in $(seq 50); do
	out=$(agent "{\"execute\":\"guest-exec-status\",\"arguments\":{\"pid\":${pid:-0}}}")
	grep -q '"exited":true' <<<"$out" && break
	sleep 0.2
done
check_match "guest-exec-status: exited 0" '"exitcode":0' "$out"
data=$(sed -n 's/.*"out-data":"\([^"]*\)".*/\1/p' <<<"$out" | base64 -d 2>/dev/null)
check_eq "... with its output" "hello from guestd" "$data"

# --- shutdown through the agent -------------------------------------------------
check "virsh shutdown --mode agent" quiet virsh shutdown "$DOM" --mode agent
for _ in $(seq 300); do
	[ "$(virsh domstate "$DOM" 2>/dev/null)" = "shut off" ] && break
	sleep 0.2
done
check_eq "the domain shuts off" "shut off" "$(virsh domstate "$DOM" 2>/dev/null)"
check "the console shows guestd's ordered power off" grep -q "reboot: Power down" "$D/console.log"
[ "$_failed" = 0 ] || tail -n 30 "$D/console.log" | sed 's/^/# console: /'
done_testing
