#!/bin/bash
# The QGA filesystem commands in a QEMU guest (TCG) with guestd as /init:
# a virtio-blk disk holding an ext4 image made here (mkfs.ext4 on a file),
# mounted by the workload (tests/e2e/fs_writer.c), which writes and fsyncs
# a file every 100 ms. Over org.qemu.guest_agent.0: Proxmox's sequence
# before a backup (guest-fsfreeze-status, -freeze, -status, -thaw, its
# exact bytes: guest-sync-delimited then the command, one write), the
# workload's writes blocked in between, a hook of the default directory
# run with freeze and thaw, then guest-get-fsinfo and guest-get-disks
# showing the disk with its PCI address and serial.
#
# Only the guest's filesystems are frozen. Needs root, qemu-system-x86_64,
# mkfs.ext4, a static busybox (the hook's shell) and Debian's cloud kernel.
source "$(dirname "$0")/../lib/lib.sh"
source "$TOP/tests/e2e/qemu-boot.sh"
PY="python3 -B"
export PYTHONPATH=$TOP/tests/lib

why=$(qb_skip_reason)
[ -z "$why" ] || skip_all "$why"
command -v mkfs.ext4 >/dev/null || skip_all "no mkfs.ext4 (e2fsprogs)"
BUSYBOX=$(command -v busybox) || skip_all "no busybox"
file -L "$BUSYBOX" | grep -q 'statically linked' || skip_all "busybox is not static"
"$GUESTD" --help | grep -q -- '--fsfreeze-hook-dir' || skip_all "guestd without fsfreeze"

truncate -s 64M "$T/disk.img" && mkfs.ext4 -q -F "$T/disk.img"
check "an ext4 image made on the host" test -s "$T/disk.img"
musl-gcc -static -Os -o "$T/fs_writer" "$TOP/tests/e2e/fs_writer.c" ||
	skip_all "cannot build the workload"
mkdir -p "$T/extra/bin" "$T/extra/etc/qemu/fsfreeze-hook.d"
cp "$T/fs_writer" "$T/extra/bin/fs_writer"
cp "$BUSYBOX" "$T/extra/bin/busybox"; ln -s busybox "$T/extra/bin/sh"
cat >"$T/extra/etc/qemu/fsfreeze-hook.d/10-console" <<'HOOK'
#!/bin/sh
echo "fsfreeze hook: $1" >/dev/console
HOOK
chmod 0755 "$T/extra/etc/qemu/fsfreeze-hook.d/10-console"
printf 'exec=/bin/fs_writer\non-exit=stay\n' >"$T/guestd.conf"
"$TOP/initramfs/mkinitramfs.sh" --init "$GUESTD" --guestctl "$GUESTCTL" --conf "$T/guestd.conf" \
	--kernel-dir "$TOP/build/kernel" --modules virtio_pci,virtio_console,virtio_blk \
	--extra "$T/extra" --out "$T/img.cpio.gz" >"$T/mkinitramfs.log" 2>&1
check "initramfs built" test -s "$T/img.cpio.gz"

QB_ACCEL=tcg
QB_PORT=org.qemu.guest_agent.0
trap 'qb_stop; cleanup' EXIT
qb_start --initrd "$T/img.cpio.gz" --name qga-fs -- \
	-drive "file=$T/disk.img,if=none,id=d0,format=raw" \
	-device "virtio-blk-pci,drive=d0,serial=gd-e2e-disk"
export QB_SOCK
if qb_wait_line "fs_writer: mounted /dev/vda on /mnt/data" 90; then
	ok "the workload mounted the virtio-blk disk"
else
	qb_fail "the workload never mounted /dev/vda"; not_ok "the workload mounted the virtio-blk disk"
	done_testing; exit 1
fi

check "Proxmox's sequence: thawed, freeze 1, frozen, (writes blocked), thaw 1, thawed" $PY - <<'PYEOF'
import os, time
from qga import *
deadline, n = time.time() + 60, 100
while True:   # the first answer on a serial port takes a while under TCG
    n += 1
    try:
        c = Client(os.environ["QB_SOCK"], timeout=5)
        c.send(proxmox_pair(n, "guest-fsfreeze-status"))
        assert c.proxmox_read() == ({"return": n}, {"return": "thawed"})
        break
    except (OSError, EOFError):
        if time.time() > deadline:
            raise
        time.sleep(0.5)
c.s.settimeout(60)
def step(i, cmd, want):
    c.send(proxmox_pair(n + i, cmd, args_first=i % 2 == 0))
    got = c.proxmox_read()
    assert got == ({"return": n + i}, {"return": want}), (cmd, got)
step(1, "guest-fsfreeze-freeze", 1)
step(2, "guest-fsfreeze-status", "frozen")
time.sleep(3)
step(3, "guest-fsfreeze-thaw", 1)
step(4, "guest-fsfreeze-status", "thawed")
PYEOF
if qb_wait_line "fs_writer: write blocked [0-9]+ ms" 20; then
	ms=$(grep -oE 'write blocked [0-9]+ ms' "$QB_LOG" | tail -n1 | grep -oE '[0-9]+')
	check "the workload's write blocked while frozen (${ms} ms)" test "$ms" -ge 2500
else
	not_ok "the workload's write blocked while frozen"
fi
check_match "the default hook directory ran with freeze, then thaw" \
	"fsfreeze hook: freeze.*fsfreeze hook: thaw" "$(tr '\n' ' ' <"$QB_LOG")"

check "guest-get-fsinfo and guest-get-disks show the disk: virtio, its PCI slot, serial, node" $PY - <<'PYEOF'
import json, os
from qga import *
c = Client(os.environ["QB_SOCK"], timeout=30)
assert c.libvirt_sync(77)
fs = c.call(libvirt_cmd("guest-get-fsinfo"))["return"]
print("# fsinfo: %s" % json.dumps(fs))
assert len(fs) == 1, fs
f = fs[0]
assert list(f) == ["name", "total-bytes", "mountpoint", "disk", "used-bytes", "type"], f
assert (f["name"], f["mountpoint"], f["type"]) == ("vda", "/mnt/data", "ext4"), f
assert 50 << 20 < f["total-bytes"] < 64 << 20 and 0 < f["used-bytes"] < f["total-bytes"], f
d = f["disk"]
assert len(d) == 1, d
d = d[0]
assert list(d) == ["serial", "bus-type", "bus", "unit", "pci-controller", "dev", "target"], d
assert (d["serial"], d["bus-type"], d["dev"]) == ("gd-e2e-disk", "virtio", "/dev/vda"), d
pci = d["pci-controller"]
assert list(pci) == ["bus", "slot", "domain", "function"] and pci["domain"] == 0 and pci["slot"] > 0, pci
assert c.libvirt_sync(78)
disks = c.call(libvirt_cmd("guest-get-disks"))["return"]
vda = [x for x in disks if x["name"] == "/dev/vda"]
assert vda and vda[0]["partition"] is False and vda[0]["address"] == d, disks
PYEOF

qb_stop
done_testing
