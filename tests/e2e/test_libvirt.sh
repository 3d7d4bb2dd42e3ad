#!/bin/bash
# guestd driven by Debian's libvirt exactly as users' hosts drive qemu-ga:
# a libvirt domain (TCG) boots Debian's cloud kernel with a guestd
# initramfs, a virtio-blk ext4 disk the workload mounts and writes to, and
# the org.qemu.guest_agent.0 channel; then virsh: domfsfreeze/domfsthaw
# (what snapshot-create --quiesce does), domfsinfo, guestinfo (every
# group), guestvcpus and setvcpus --guest, domfstrim, domtime,
# qemu-agent-command guest-exec/guest-exec-status and guest-file-* (60 KiB
# there and back), set-user-password (checked against the guest's
# /etc/shadow with crypt(3)), set-user-sshkeys/get-user-sshkeys, and
# shutdown --mode agent.
#
# virtlogd and libvirtd are started here (as root) when they are not
# running, and stopped again. Needs root, qemu-system-x86_64, libvirt
# (libvirt-daemon-driver-qemu, libvirt-clients), mkfs.ext4, a static
# busybox and Debian's cloud kernel.
source "$(dirname "$0")/../lib/lib.sh"
source "$TOP/tests/e2e/qemu-boot.sh"
source "$TOP/tests/lib/pidns.sh" # quiet
# lib.sh's mktemp is not checked there: every path below is built on $T.
case ${T:-} in /tmp/gdtest.?*) [ -d "$T" ] ;; *) false ;; esac ||
	{ echo "Bail out! no temp dir (T='${T:-}')"; exit 1; }

why=$(qb_skip_reason)
[ -z "$why" ] || skip_all "$why"
command -v virsh >/dev/null && command -v libvirtd >/dev/null ||
	skip_all "no libvirt (libvirt-daemon-driver-qemu, libvirt-clients)"
command -v mkfs.ext4 >/dev/null || skip_all "no mkfs.ext4 (e2fsprogs)"
BUSYBOX=$(command -v busybox) || skip_all "no busybox"
file -L "$BUSYBOX" | grep -q 'statically linked' || skip_all "busybox is not static"
"$GUESTD" --help | grep -q -- '--fsfreeze-hook-dir' || skip_all "guestd without fsfreeze"

# One run at a time: each run stops the daemons it started, which would pull
# libvirtd from under another run (the lock is released when this shell exits,
# after the EXIT trap has waited for those daemons to be gone).
if command -v flock >/dev/null; then
	exec {lockfd}>/run/lock/guestd-e2e-libvirt.lock && flock -w 900 "$lockfd" ||
		skip_all "another run of this test holds /run/lock/guestd-e2e-libvirt.lock"
fi
DOM=guestd-e2e-$$
# libvirt runs QEMU as libvirt-qemu: the files live where it may read them
# (libvirt-daemon-system makes the folder).
D=$(mktemp -d /var/lib/libvirt/images/guestd-e2e.XXXXXX 2>/dev/null) &&
	case $D in /var/lib/libvirt/images/guestd-e2e.?*) [ -d "$D" ] ;; *) false ;; esac ||
	skip_all "no /var/lib/libvirt/images (libvirt-daemon-system)"
chmod 0755 "$D"
started=()
stop_libvirt() {
	virsh -q destroy "$DOM" >/dev/null 2>&1
	virsh -q undefine "$DOM" >/dev/null 2>&1
	local p
	for p in "${started[@]}"; do kill "$p" 2>/dev/null; done
	# libvirtd takes seconds to exit: a next run must not find it dying.
	for p in "${started[@]}"; do
		for _ in $(seq 150); do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
	done
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
# A user for set-user-password and the ssh keys: passwd, shadow (0640, root's
# as the image's files all are) and a home without ~/.ssh.
mkdir -p "$T/extra/etc" "$T/extra/home/tester"
printf 'root:x:0:0:root:/root:/bin/sh\ntester:x:1000:1000:tester:/home/tester:/bin/sh\n' \
	>"$T/extra/etc/passwd"
printf 'root:*:19000:0:99999:7:::\ntester:!:19000:0:99999:7:::\n' >"$T/extra/etc/shadow"
printf 'root:x:0:\ntester:x:1000:\n' >"$T/extra/etc/group"
chmod 0644 "$T/extra/etc/passwd" "$T/extra/etc/group"
chmod 0640 "$T/extra/etc/shadow"
chmod 0755 "$T/extra/home/tester"
printf 'exec=/bin/fs_writer\non-exit=stay\n' >"$T/guestd.conf"
"$TOP/initramfs/mkinitramfs.sh" --init "$GUESTD" --guestctl "$GUESTCTL" --conf "$T/guestd.conf" \
	--kernel-dir "$TOP/build/kernel" --modules virtio_pci,virtio_console,virtio_blk,virtio_rng \
	--extra "$T/extra" --out "$D/img.cpio.gz" >"$T/mkinitramfs.log" 2>&1
cp "$TOP/build/kernel/vmlinuz" "$D/vmlinuz"
chmod 0644 "$D/vmlinuz" "$D/img.cpio.gz" "$D/disk.img"
check "initramfs built" test -s "$D/img.cpio.gz"

# --- libvirt's daemons --------------------------------------------------------
start_daemon() { # NAME: start it unless running; remember what we started
	pgrep -x "$1" >/dev/null && return 0
	"$1" -d || return 1
	for _ in $(seq 50); do
		pgrep -x "$1" >/dev/null && { started+=("$(pgrep -xn "$1")"); return 0; }
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
  <vcpu>2</vcpu>
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
    <!-- as virt-install adds (a guest without it gets its password
         salt from GRND_INSECURE: a salt needs no secrecy) -->
    <rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>
  </devices>
</domain>
XML
check "virsh define" quiet virsh define "$D/domain.xml"
check "virsh start" quiet virsh start "$DOM"

# agent ARGS...: virsh qemu-agent-command with libvirt's own guest-sync first.
agent() { virsh qemu-agent-command "$DOM" --timeout 30 "$@" 2>&1; }
# vq.py read PATH | exec PROG ARG... | roundtrip PATH BYTES: guest-file-* and
# guest-exec through `virsh qemu-agent-command`, as a user would script them.
cat >"$T/vq.py" <<'PYEOF'
import base64, json, os, subprocess, sys
dom, what, args = sys.argv[1], sys.argv[2], sys.argv[3:]
def agent(name, **arguments):
    cmd = {"execute": name}
    if arguments:
        cmd["arguments"] = arguments
    p = subprocess.run(["virsh", "qemu-agent-command", dom, "--timeout", "30",
                        json.dumps(cmd)], capture_output=True, text=True)
    if p.returncode:
        sys.exit("%s: %s" % (name, p.stderr.strip()))
    return json.loads(p.stdout)["return"]
def read(path):
    h = agent("guest-file-open", path=path, mode="r")
    got, chunks = b"", 0
    while True:   # Proxmox's way: 1 MiB asked, short reads until eof
        r = agent("guest-file-read", handle=h, count=1024 * 1024)
        buf = base64.b64decode(r["buf-b64"])
        assert r["count"] == len(buf), (r["count"], len(buf))
        got, chunks = got + buf, chunks + 1
        if r["eof"]:
            break
        assert buf and chunks < 1000, "no progress"
    agent("guest-file-close", handle=h)
    return got, chunks
if what == "read":
    sys.stdout.buffer.write(read(args[0])[0])
elif what == "exec":
    pid = agent("guest-exec", path=args[0], arg=args[1:], **{"capture-output": True})["pid"]
    for _ in range(100):
        r = agent("guest-exec-status", pid=pid)
        if r["exited"]:
            break
    assert r["exited"] and r["exitcode"] == 0, r
    sys.stdout.buffer.write(base64.b64decode(r.get("out-data", "")))
elif what == "roundtrip":
    data = os.urandom(int(args[1]))
    h = agent("guest-file-open", path=args[0], mode="w")
    r = agent("guest-file-write", handle=h, **{"buf-b64": base64.b64encode(data).decode()})
    assert r == {"count": len(data), "eof": False}, r
    agent("guest-file-close", handle=h)
    got, chunks = read(args[0])
    print("# %d bytes written in one guest-file-write, read back in %d guest-file-read answers"
          % (len(data), chunks))
    assert got == data, "%d bytes back, differ" % len(got)
PYEOF
vq() { "$PY3" -W ignore "$T/vq.py" "$DOM" "$@"; }
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
# The workload writes and fsyncs every 100 ms and prints "write blocked N ms"
# on the console (serial -> $D/console.log) once a write returns after > 1 s.
blocked() { grep -c 'fs_writer: write blocked' "$D/console.log" 2>/dev/null; }
sleep 1 # a few writes go through first
n0=$(blocked)
out=$(virsh domfsfreeze "$DOM" 2>&1)
check_match "virsh domfsfreeze: one filesystem frozen" "Froze 1 filesystem" "$out"
check_match "... guest-fsfreeze-status says frozen" '"return":"frozen"' \
	"$(agent '{"execute":"guest-fsfreeze-status"}')"
sleep 3
check_eq "... held 3 s: the guest's write has not returned before the thaw" "$n0" "$(blocked)"
out=$(virsh domfsthaw "$DOM" 2>&1)
check_match "virsh domfsthaw: one filesystem thawed" "Thawed 1 filesystem" "$out"
for _ in $(seq 50); do [ "$(blocked)" -gt "$n0" ] && break; sleep 0.2; done
line=$(grep 'fs_writer: write blocked' "$D/console.log" | sed -n "$((n0 + 1))p")
ms=$(grep -oE '[0-9]+ ms' <<<"$line" | grep -oE '[0-9]+')
check "... then it returns: the write blocked until domfsthaw (${ms:-no line} ms >= 2000)" \
	test "${ms:-0}" -ge 2000
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
# Two vcpus: --guest takes vcpu 1 offline through the agent (sysfs online)
# and back; guestvcpus and the guest kernel's own cpu/online agree each time.
out=$(virsh guestvcpus "$DOM" 2>&1)
check_match "virsh guestvcpus: vcpus 0-1, both online, 1 offlinable" \
	"vcpus +: 0-1 online +: 0-1 offlinable +: 1" "$(tr -s '\n' ' ' <<<"$out")"
check "virsh setvcpus 1 --guest" quiet virsh setvcpus "$DOM" 1 --guest
out=$(virsh guestvcpus "$DOM" 2>&1)
check_match "... guestvcpus: only vcpu 0 online" "vcpus +: 0-1 online +: 0 " "$(tr -s '\n' ' ' <<<"$out")"
check_eq "... the guest's /sys/devices/system/cpu/online" "0" "$(vq read /sys/devices/system/cpu/online)"
check "virsh setvcpus 2 --guest" quiet virsh setvcpus "$DOM" 2 --guest
out=$(virsh guestvcpus "$DOM" 2>&1)
check_match "... guestvcpus: vcpus 0-1 online again" "vcpus +: 0-1 online +: 0-1 " "$(tr -s '\n' ' ' <<<"$out")"
check_eq "... the guest's /sys/devices/system/cpu/online" "0-1" "$(vq read /sys/devices/system/cpu/online)"
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

# --- files: 60 KiB (Proxmox's file-write maximum) there and back -------------
check "guest-file-write of 60 KiB to the ext4 disk, then guest-file-read until eof: the same bytes" \
	vq roundtrip /mnt/data/roundtrip.bin $((60 * 1024))

# --- credentials ----------------------------------------------------------------
pw='Tr0ub4dor &3 e2e'
out=$(virsh set-user-password "$DOM" tester "$pw" 2>&1)
check_match "virsh set-user-password $DOM tester" "Password set successfully for tester" "$out"
vq read /etc/shadow >"$T/shadow"
sed 's/^/# shadow: /' "$T/shadow"
check "... the guest's /etc/shadow: tester's new hash verifies with crypt(3), lastchg today, root's line kept" \
	"$PY3" -W ignore -c '
import crypt, sys, time
pw, lines = sys.argv[1], open(sys.argv[2]).read().splitlines()
t = [l.split(":") for l in lines if l.startswith("tester:")]
assert len(t) == 1 and t[0][1].startswith("$"), lines
h = t[0][1]
assert crypt.crypt(pw, h) == h and crypt.crypt(pw + "x", h) != h, h
assert abs(int(t[0][2]) - int(time.time()) // 86400) <= 1, t   # lastchg: today
assert "root:*:19000:0:99999:7:::" in lines and len(lines) == 2, lines
' "$pw" "$T/shadow"
check_match "... still 0640 root:root" '^-rw-r----- +1 0 +0 ' "$(vq exec /bin/busybox ls -ln /etc/shadow)"

k1='ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGd1ZXN0ZC1lMmUta2V5LW9uZS0wMDAwMDAwMDAwMDA one@e2e'
k2='ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGd1ZXN0ZC1lMmUta2V5LXR3by0wMDAwMDAwMDAwMDA two@e2e'
k3='ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDguestde2ethreeAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA three@e2e'
# ssh KEY...: after a set-user-sshkeys, ~/.ssh/authorized_keys holds exactly
# those keys (qemu-ga's bytes: one a line, no final newline), the agent's
# guest-ssh-get-authorized-keys lists them last line first (qemu-ga prepends),
# and virsh get-user-sshkeys prints that list (libvirt 9.0 with no newline
# between keys, so the check joins the lines).
ssh_is() {
	local want=("$@") i rev=() json
	for ((i = ${#want[@]} - 1; i >= 0; i--)); do rev+=("${want[i]}"); done
	check_eq "... authorized_keys in the guest: $# keys" \
		"$(printf '%s\n' "${want[@]}" | head -c -1)." "$(vq read /home/tester/.ssh/authorized_keys; echo .)"
	json=$("$PY3" -c 'import json,sys; print(json.dumps({"keys": sys.argv[1:]}, separators=(",", ":")))' "${rev[@]}")
	check_eq "... guest-ssh-get-authorized-keys lists them" "{\"return\":$json}" \
		"$(agent '{"execute":"guest-ssh-get-authorized-keys","arguments":{"username":"tester"}}')"
	check_eq "... virsh get-user-sshkeys prints them" "$(printf '%s' "${rev[@]}")" \
		"$(virsh get-user-sshkeys "$DOM" tester 2>&1 | tr -d '\n')"
}
# No final newline: virsh splits the file at each "\n" and would send the
# empty string after the last one as a key, which qemu-ga (and guestd) store.
printf '%s\n%s' "$k1" "$k2" >"$T/keys12"
printf '%s' "$k3" >"$T/keys3"
printf '%s' "$k2" >"$T/keys2"
check "virsh set-user-sshkeys $DOM tester --file (two keys)" quiet \
	virsh set-user-sshkeys "$DOM" tester --file "$T/keys12"
ssh_is "$k1" "$k2"
check_match "... ~/.ssh 0700 and authorized_keys 0600, tester's (1000)" \
	'^drwx------ +[0-9]+ 1000 +1000 .*-rw------- +1 1000 +1000 ' \
	"$(vq exec /bin/busybox ls -lnd /home/tester/.ssh /home/tester/.ssh/authorized_keys | tr '\n' ' ')"
check "virsh set-user-sshkeys (a third key, appended)" quiet \
	virsh set-user-sshkeys "$DOM" tester --file "$T/keys3"
ssh_is "$k1" "$k2" "$k3"
check "virsh set-user-sshkeys --remove (the second)" quiet \
	virsh set-user-sshkeys "$DOM" tester --remove --file "$T/keys2"
ssh_is "$k1" "$k3"
check "virsh set-user-sshkeys --reset (the second only)" quiet \
	virsh set-user-sshkeys "$DOM" tester --reset --file "$T/keys2"
ssh_is "$k2"

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
