#!/bin/bash
# The QGA filesystem commands through the real binary on --qga-unix:
# guest-fsfreeze-status/-freeze/-freeze-list/-thaw, the hook directory,
# the auto-thaw deadline, guest-fstrim, guest-get-fsinfo, guest-get-disks.
#
# This machine's own filesystems must never be frozen. Every agent that is
# sent a freeze runs in a private mount namespace (unshare --mount) after
# pivot_root(2) into a tmpfs holding only a loop-mounted ext4 image, a
# tmpfs, proc and sysfs (tests/lib/fsns.py): its /proc/self/mountinfo has
# nothing else to freeze. Before the first freeze the test reads that
# agent's mountinfo from outside and stops unless the only block-backed
# mounts in it are loop devices (major 7).
#
# One more agent runs in a namespace that still sees the machine's mounts,
# beside Debian's qemu-ga 7.2 when installed, for byte-for-byte
# guest-get-fsinfo and guest-get-disks: neither is ever sent a freeze,
# a thaw or an fstrim.
source "$(dirname "$0")/../lib/lib.sh"
PY="$PY3 -B"
export PYTHONPATH=$TOP/tests/lib

[ "$(id -u)" = 0 ] || skip_all "needs root (mount, loop devices, FIFREEZE)"
for t in unshare mkfs.ext4 busybox mount; do
	command -v $t >/dev/null || skip_all "no $t (tests/deps.sh)"
done
unshare --mount true 2>/dev/null || skip_all "cannot unshare a mount namespace"
# the agent runs pivoted into a root that holds no shared libraries
file -L "$GUESTD" | grep -q 'statically linked' ||
	skip_all "needs the static guestd (it runs in a new root without libraries; make check's is not)"
BUSYBOX=$(command -v busybox)
file -L "$BUSYBOX" 2>/dev/null | grep -q 'statically linked' ||
	skip_all "busybox is not static (hook scripts need a shell in the new root)"

# fs_ns NAME [guestd args...]: an agent alone with a loop ext4 on /mnt/data
# and a tmpfs on /mnt/tmp; the hooks of $T/NAME.hooks are its /hooks. Its
# pid in NS_PID, its root as seen from here in R (sockets: $R/run/...).
fs_ns() {
	local name=$1; shift
	local root=$T/$name.root img=$T/$name.img
	truncate -s 64M "$img" && mkfs.ext4 -q -F "$img" || return 1
	mkdir -p "$root" "$T/$name.hooks"
	cat >"$T/$name.sh" <<EOF
set -e
mount -t tmpfs -o size=32m,mode=0755 gdroot "$root"
cd "$root"
mkdir -p proc sys dev run mnt/data mnt/tmp hooks bin state
mount -o loop "$img" mnt/data
mount -t tmpfs tmpfs mnt/tmp
mount -t proc proc proc
mount -t sysfs sysfs sys
mknod -m 0666 dev/null c 1 3
cp "$BUSYBOX" bin/busybox; ln -s busybox bin/sh
cp -a "$T/$name.hooks/." hooks/
cp "$GUESTD" guestd
[ -z "\${FS_NS_EXTRA:-}" ] || sh -c "\$FS_NS_EXTRA"
exec $PY3 -B "$TOP/tests/lib/fsns.py" "$root" /guestd --no-vsock --local-sock "" \
	--config /nonexistent --cmdline /nonexistent --log-to stderr \
	--qga-unix /run/gdfs-qga.sock --unix /run/native.sock --fsfreeze-hook-dir /hooks \
	--state-dir /state $*
EOF
	unshare --mount --propagation private bash "$T/$name.sh" >>"$T/$name.log" 2>&1 &
	NS_PID=$!; _pids+=($NS_PID)
	R=/proc/$NS_PID/root
	# Until the process has pivoted into the tmpfs, $R is this machine's
	# root: no socket is looked for there before that.
	for _ in $(seq 100); do pivoted $NS_PID && break; sleep 0.1; done
	pivoted $NS_PID && wait_for_socket "$R/run/gdfs-qga.sock" 10
}

# pivoted PID: its root is the tmpfs "gdroot" (fsns.py has run).
pivoted() {
	awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { t = $(i + 1); s = $(i + 2); break } }
	     $5 == "/" && t == "tmpfs" && s == "gdroot" { f = 1 } END { exit !f }' \
		"/proc/$1/mountinfo" 2>/dev/null
}

# only_loops PID: every block-backed mount the agent sees is a loop device.
only_loops() {
	awk '{ split($3, d, ":"); if (d[1] != 0 && d[1] != 7) bad = bad " " $5 }
	     END { if (bad != "") { print "not loop:" bad; exit 1 } }' "/proc/$1/mountinfo"
}

# qga PATH PYTHON: run a Python snippet with c = Client(PATH) and Q = PATH.
qga() {
	local sock=$1; shift
	Q=$sock $PY -c "
import json, os, sys, time
from qga import *
c = Client(os.environ['Q'], timeout=30)
def ask(name, **args):
    c.send(libvirt_cmd(name, **args))
    return c.line()
$1"
}

mkdir -p "$T/a.hooks" "$T/b.hooks"
cat >"$T/a.hooks/10-first" <<'EOF'
#!/bin/sh
echo "10-first $1 $#" >>/run/hooks.log
EOF
cat >"$T/a.hooks/20-second" <<'EOF'
#!/bin/sh
echo "20-second $1" >>/run/hooks.log
EOF
cp "$T/a.hooks/20-second" "$T/a.hooks/30-old.bak"
cp "$T/a.hooks/20-second" "$T/a.hooks/.hidden"
cp "$T/a.hooks/20-second" "$T/a.hooks/40-not-executable"
chmod 0755 "$T/a.hooks/10-first" "$T/a.hooks/20-second" "$T/a.hooks/30-old.bak" \
	"$T/a.hooks/.hidden"
chmod 0644 "$T/a.hooks/40-not-executable"

# A read-only second image and a bind mount of the first: still one
# filesystem to freeze.
truncate -s 16M "$T/ro.img" && mkfs.ext4 -q -F "$T/ro.img"
export FS_NS_EXTRA="mkdir -p mnt/ro mnt/bind && mount -o loop,ro '$T/ro.img' mnt/ro && mount --bind mnt/data mnt/bind"
fs_ns a; check "agent A starts alone with its loop filesystems" test -S "$R/run/gdfs-qga.sock"
unset FS_NS_EXTRA
A=$R/run/gdfs-qga.sock N=$R/run/native.sock RA=$R PA=$NS_PID
why=$(only_loops $PA) || { not_ok "agent A sees only loop devices" "$why"; done_testing; exit 1; }
ok "agent A's mount table holds no filesystem of this machine (only loop devices)"
check_eq "its mount table: /, /mnt/data, /mnt/tmp, /proc, /sys, /mnt/ro, /mnt/bind" \
	"/ /mnt/bind /mnt/data /mnt/ro /mnt/tmp /proc /sys" \
	"$(awk '{print $5}' /proc/$PA/mountinfo | sort | tr '\n' ' ' | sed 's/ $//')"

check "Proxmox's sequence: status thawed, freeze 1, status frozen, thaw 1" $PY - "$A" <<'PYEOF'
import sys
from qga import *
c = Client(sys.argv[1], timeout=30)
seq = [("guest-fsfreeze-status", "thawed"), ("guest-fsfreeze-freeze", 1),
       ("guest-fsfreeze-status", "frozen"), ("guest-fsfreeze-thaw", 1),
       ("guest-fsfreeze-status", "thawed")]
for i, (cmd, want) in enumerate(seq):
    c.send(proxmox_pair(4242 + i, cmd, args_first=i % 2 == 1))
    got = c.proxmox_read()
    assert got == ({"return": 4242 + i}, {"return": want}), (cmd, got)
PYEOF
check_eq "hooks ran in name order, freeze before and thaw after, one argument each" \
	"10-first freeze 1|20-second freeze|10-first thaw 1|20-second thaw" \
	"$(tr '\n' '|' <"$RA/run/hooks.log" | sed 's/|$//')"
: >"$RA/run/hooks.log"

# A write from another process blocks while frozen and completes on thaw.
r=$(qga "$A" 'print(ask("guest-fsfreeze-freeze").decode(), end="")')
check_eq "guest-fsfreeze-freeze answers 1 (one superblock: the bind mount, ro and tmpfs left)" \
	'{"return": 1}' "$r"
( echo data >"$RA/mnt/data/written"; touch "$T/write.done" ) & wpid=$!
sleep 1.5
check "a write to the frozen filesystem is still blocked after 1.5 s" test ! -e "$T/write.done"
r=$(qga "$A" 'print(ask("guest-fsfreeze-status").decode(), end="")')
check_eq "status frozen (raw bytes)" '{"return": "frozen"}' "$r"
check "while frozen: freeze again is disabled, as qemu-ga; info shows what is served" qga "$A" '
for cmd in ("guest-fsfreeze-freeze", "guest-fsfreeze-freeze-list", "guest-get-fsinfo",
            "guest-fstrim", "guest-shutdown", "guest-get-osinfo"):
    got = ask(cmd)
    want = (b"{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"Command %s has been "
            b"disabled: the agent is in frozen state\"}}\n" % cmd.encode())
    assert got == want, got
assert ask("guest-ping") == b"{\"return\": {}}\n"
info = json.loads(ask("guest-info"))["return"]["supported_commands"]
on = sorted(e["name"] for e in info if e["enabled"])
assert on == ["guest-fsfreeze-status", "guest-fsfreeze-thaw", "guest-info", "guest-ping",
              "guest-sync", "guest-sync-delimited"], on
'
"$GUESTCTL" --unix "$N" kv set kfrozen v >"$T/kv.out" 2>&1; rc=$?
check_eq "KV set to a persistent pool while frozen: refused (nothing written)" 1 $rc
check_match "... saying why" "frozen" "$(cat "$T/kv.out")"
r=$(qga "$A" 'print(ask("guest-fsfreeze-thaw").decode(), end="")')
check_eq "guest-fsfreeze-thaw answers 1" '{"return": 1}' "$r"
for _ in $(seq 50); do [ -e "$T/write.done" ] && break; sleep 0.1; done
check "the blocked write completed after the thaw" test -e "$T/write.done"
wait $wpid 2>/dev/null
check_eq "its data is there" data "$(cat "$RA/mnt/data/written")"
"$GUESTCTL" --unix "$N" kv set kthawed v >/dev/null 2>&1
check_eq "KV set after the thaw: saved" 0 $?
check "guest-info: all enabled again" qga "$A" '
info = json.loads(ask("guest-info"))["return"]["supported_commands"]
assert all(e["enabled"] for e in info), info
names = [e["name"] for e in info]
order = ["guest-get-fsinfo", "guest-get-disks", "guest-network-get-interfaces", "guest-fstrim",
         "guest-fsfreeze-thaw", "guest-fsfreeze-freeze-list", "guest-fsfreeze-freeze",
         "guest-fsfreeze-status", "guest-shutdown"]
assert [n for n in names if n in order] == order, names   # qemu-ga 7.2 order
'
check_log "while frozen the agent wrote no log line to its stderr (a file): dropped, counted" \
	"1 log lines dropped while frozen.*1 filesystems thawed" "$T/a.log"

check "freeze-list: a tmpfs and a missing path freeze nothing (0, still thawed)" qga "$A" '
assert ask("guest-fsfreeze-freeze-list", mountpoints=["/mnt/tmp", "/nope"]) == b"{\"return\": 0}\n"
assert ask("guest-fsfreeze-status") == b"{\"return\": \"thawed\"}\n"
assert ask("guest-fsfreeze-freeze-list", mountpoints=[]) == b"{\"return\": 0}\n"
assert ask("guest-fsfreeze-freeze-list", mountpoints=["/mnt/ro"]) == b"{\"return\": 0}\n"
'
check "freeze-list by the bind mountpoint freezes the filesystem; thaw 1" qga "$A" '
assert ask("guest-fsfreeze-freeze-list", mountpoints=["/mnt/bind"]) == b"{\"return\": 1}\n"
assert ask("guest-fsfreeze-status") == b"{\"return\": \"frozen\"}\n"
assert ask("guest-fsfreeze-thaw") == b"{\"return\": 1}\n"
'
check "freeze-list without mountpoints freezes all; a thaw when thawed answers 0" qga "$A" '
assert ask("guest-fsfreeze-freeze-list") == b"{\"return\": 1}\n"
assert ask("guest-fsfreeze-thaw") == b"{\"return\": 1}\n"
assert ask("guest-fsfreeze-thaw") == b"{\"return\": 0}\n"
'
check "bad arguments: qemu-ga's errors" qga "$A" '
e = lambda d: b"{\"error\": {\"class\": \"GenericError\", \"desc\": \"%s\"}}\n" % d
assert ask("guest-fsfreeze-freeze-list", mountpoints="x") == e(b"Invalid parameter type for '"'"'mountpoints'"'"', expected: array"), 1
assert ask("guest-fsfreeze-freeze-list", mountpoints=[1]) == e(b"Invalid parameter type for '"'"'mountpoints[0]'"'"', expected: string"), 2
assert ask("guest-fsfreeze-thaw", x=1) == e(b"Parameter '"'"'x'"'"' is unexpected"), 3
assert ask("guest-fstrim", minimum="x") == e(b"Invalid parameter type for '"'"'minimum'"'"', expected: integer"), 4
many = ["/m%d" % i for i in range(65)]
assert ask("guest-fsfreeze-freeze-list", mountpoints=many) == e(b"more than 64 mountpoints"), 5
assert ask("guest-fsfreeze-status") == b"{\"return\": \"thawed\"}\n"
'
: >"$RA/run/hooks.log"

r=$(qga "$A" 'print(ask("guest-get-fsinfo").decode(), end="")')
loopdev=$(awk '$5 == "/mnt/data" {print $3}' /proc/$PA/mountinfo)
loopname=$(basename "$(readlink -f /sys/dev/block/$loopdev)")
rodev=$(awk '$5 == "/mnt/ro" {print $3}' /proc/$PA/mountinfo)
roname=$(basename "$(readlink -f /sys/dev/block/$rodev)")
want=$($PY - "$RA" "$loopname" "$roname" <<'PYEOF'
import os, sys
r, data, ro = sys.argv[1:]
def fs(name, mnt):
    st = os.statvfs(r + mnt)
    used = st.f_blocks - st.f_bfree
    return ('{"name": "%s", "total-bytes": %d, "mountpoint": "%s", "disk": [], '
            '"used-bytes": %d, "type": "ext4"}' % (name, (used + st.f_bavail) * st.f_frsize,
                                                   mnt, used * st.f_frsize))
print('{"return": [%s, %s, %s]}' % (fs(data, "/mnt/bind"), fs(ro, "/mnt/ro"), fs(data, "/mnt/data")))
PYEOF
)
check_eq "guest-get-fsinfo: the block-backed mounts, last first, qemu-ga's members and bytes" "$want" "$r"

r=$(qga "$A" 'print(ask("guest-fstrim", minimum=0).decode(), end="")')
check_match "guest-fstrim: a result per block-backed mount, last first, in qemu-ga's shape" \
	'^\{"return": \{"paths": \[\{("minimum": 0, )?"path": "/mnt/bind", ("trimmed": [0-9]+|"error": "[^"]+")\}, \{[^}]*"path": "/mnt/ro"[^}]*\}, \{"minimum": 0, "path": "/mnt/data", "trimmed": [0-9]+\}\]\}\}$' "$r"
r=$(qga "$A" 'print(ask("guest-fstrim").decode(), end="")')
check_match "guest-fstrim without minimum: minimum 0" '"minimum": 0, "path": "/mnt/data", "trimmed": [0-9]+' "$r"

r=$(qga "$A" 'print(json.dumps(json.loads(ask("guest-get-disks"))["return"]))')
check "guest-get-disks lists both loop devices as qemu-ga does" $PY - "$r" "$loopname" "$roname" <<'PYEOF'
import json, sys
disks = json.loads(sys.argv[1])
by = {d["name"]: d for d in disks}
for n in sys.argv[2:]:
    d = by["/dev/" + n]
    assert d == {"name": "/dev/" + n, "dependencies": [], "partition": False}, d
    assert list(d) == ["name", "dependencies", "partition"], d
PYEOF

kill $PA; wait $PA 2>/dev/null

# Agent B: a 2 s deadline, hooks that overrun, and the host that goes away.
cat >"$T/b.hooks/10-spin" <<'EOF'
#!/bin/sh
echo "10-spin $1 start" >>/run/hooks.log
[ "$1" = freeze ] && while :; do :; done
echo "10-spin $1 end" >>/run/hooks.log
EOF
cat >"$T/b.hooks/20-after" <<'EOF'
#!/bin/sh
echo "20-after $1" >>/run/hooks.log
EOF
chmod 0755 "$T/b.hooks/10-spin" "$T/b.hooks/20-after"
fs_ns b --fsfreeze-timeout 2 --fsfreeze-hook-timeout 1
check "agent B starts" test -S "$R/run/gdfs-qga.sock"
B=$R/run/gdfs-qga.sock RB=$R PB=$NS_PID
why=$(only_loops $PB) || { not_ok "agent B sees only loop devices" "$why"; done_testing; exit 1; }
ok "agent B's mount table holds no filesystem of this machine"
check "a host that freezes then goes away: frozen, and thawed by itself after 2 s" qga "$B" '
t0 = time.time()
assert ask("guest-fsfreeze-freeze") == b"{\"return\": 1}\n"
took = time.time() - t0
assert 0.9 < took < 5, took        # the spinning hook was killed after 1 s
assert ask("guest-fsfreeze-status") == b"{\"return\": \"frozen\"}\n"
c.close()
time.sleep(3)
c = Client(os.environ["Q"], timeout=10)
assert ask("guest-fsfreeze-status") == b"{\"return\": \"thawed\"}\n"
'
( echo late >"$RB/mnt/data/late"; touch "$T/late.done" ) & wpid=$!
for _ in $(seq 30); do [ -e "$T/late.done" ] && break; sleep 0.1; done
check "the filesystem takes writes again" test -e "$T/late.done"
check_eq "the spinning hook was killed; thaw hooks ran after the auto-thaw" \
	"10-spin freeze start|10-spin thaw start|10-spin thaw end|20-after thaw" \
	"$(tr '\n' '|' <"$RB/run/hooks.log" | sed 's/|$//')"
check_log "the deadline is logged" "no thaw within 2 s \(fsfreeze-timeout\): 1 filesystems thawed" "$T/b.log"
check_log "so is the killed hook" "10-spin freeze: still running when the hook time ran out: killed" "$T/b.log"
kill $PB; wait $PB 2>/dev/null

# Agent C: fsfreeze-exclude names a bind mount: its filesystem is left,
# whatever mountpoint it is also on.
export FS_NS_EXTRA="mkdir -p mnt/bind 'mnt/with space' && mount --bind mnt/data mnt/bind && mount --bind mnt/data 'mnt/with space'"
fs_ns c --fsfreeze-exclude /mnt/bind,/nothing
C=$R/run/gdfs-qga.sock PC=$NS_PID
why=$(only_loops $PC) || { not_ok "agent C sees only loop devices" "$why"; done_testing; exit 1; }
check "fsfreeze-exclude: the excluded bind's filesystem is not frozen under any name" qga "$C" '
assert ask("guest-fsfreeze-freeze") == b"{\"return\": 0}\n"
assert ask("guest-fsfreeze-status") == b"{\"return\": \"thawed\"}\n"
assert ask("guest-fsfreeze-freeze-list", mountpoints=["/mnt/data"]) == b"{\"return\": 0}\n"
'
check "a mountpoint with a space comes back unescaped" qga "$C" '
fs = json.loads(ask("guest-get-fsinfo"))["return"]
assert "/mnt/with space" in [f["mountpoint"] for f in fs], fs
'
kill $PC; wait $PC 2>/dev/null

# Agent D: 200 bind mounts more, with long names: fsinfo over the limit.
export FS_NS_EXTRA='for i in $(seq 200); do d=mnt/tmp/a-rather-long-directory-name-to-fill-the-answer-$i; mkdir -p $d; mount --bind mnt/data $d; done'
fs_ns d
unset FS_NS_EXTRA
D=$R/run/gdfs-qga.sock PD=$NS_PID
check_eq "agent D: 201 mounts of its loop filesystem" 201 \
	"$(awk '$3 ~ /^7:/' /proc/$PD/mountinfo | wc -l)"
check "guest-get-fsinfo past GD_QGA_RESP_MAX: a clear error, not cut JSON; the agent goes on" qga "$D" '
assert ask("guest-get-fsinfo") == b"{\"error\": {\"class\": \"GenericError\", \"desc\": \"response over the size limit\"}}\n"
assert ask("guest-ping") == b"{\"return\": {}}\n"
'
kill $PD; wait $PD 2>/dev/null

# Byte for byte against qemu-ga 7.2 on this machine's real disks: both
# agents in one namespace (a loop ext4 mounted there too), only
# guest-get-fsinfo and guest-get-disks sent (qemu-ga with every command
# that changes anything blocked).
if command -v qemu-ga >/dev/null; then
	truncate -s 32M "$T/cmp.img" && mkfs.ext4 -q -F "$T/cmp.img"
	mkdir -p "$T/cmp.mnt" "$T/cmp.state"
	cat >"$T/cmp.sh" <<EOF
mount -o loop "$T/cmp.img" "$T/cmp.mnt" || exit 1
qemu-ga -m unix-listen -p "$T/qemu-ga.sock" -t "$T/cmp.state" -f "$T/cmp.state/pid" \
	-b guest-fsfreeze-freeze,guest-fsfreeze-freeze-list,guest-fsfreeze-thaw,guest-fstrim,guest-shutdown,guest-set-time,guest-exec,guest-file-open,guest-set-vcpus,guest-set-memory-blocks,guest-set-user-password,guest-suspend-disk,guest-suspend-ram,guest-suspend-hybrid,guest-ssh-add-authorized-keys,guest-ssh-remove-authorized-keys &
echo \$! >"$T/cmp.qga.pid"
"$GUESTD" --no-vsock --local-sock "" --config /nonexistent --cmdline /nonexistent \
	--qga-unix "$T/guestd-cmp.sock" --fsfreeze-exclude / &
echo \$! >"$T/cmp.guestd.pid"
wait
EOF
	unshare --mount --propagation private bash "$T/cmp.sh" >"$T/cmp.log" 2>&1 &
	_pids+=($!); cpid=$!
	wait_for_socket "$T/qemu-ga.sock" && wait_for_socket "$T/guestd-cmp.sock"
	check "guest-get-disks and guest-get-fsinfo: the bytes qemu-ga 7.2 sends" $PY - "$T/qemu-ga.sock" "$T/guestd-cmp.sock" <<'PYEOF'
import json, re, sys
from qga import *
q, g = Client(sys.argv[1]), Client(sys.argv[2])
def both(cmd):
    q.send(libvirt_cmd(cmd)); g.send(libvirt_cmd(cmd))
    return q.line(), g.line()
# qemu-ga takes a virtio serial from udev's database (ID_SERIAL, from the
# disk's serial attribute); this machine runs no udev, guestd reads sysfs.
no_serial = lambda s: re.sub(rb'"serial": "[^"]*", ', b"", s)
a, b = both("guest-get-disks")
assert a == no_serial(b), (a, b)
for _ in range(5):    # other writers move used-bytes: retry, then ignore it
    a, b = both("guest-get-fsinfo")
    if a == b:
        break
norm = lambda s: re.sub(rb'"(used|total)-bytes": \d+', b'"\\1-bytes": N', s)
assert norm(a) == norm(no_serial(b)), (a, b)
print("# %d bytes of fsinfo, %d filesystems" % (len(a), len(json.loads(a)["return"])))
PYEOF
	kill "$(cat "$T/cmp.qga.pid")" "$(cat "$T/cmp.guestd.pid")" 2>/dev/null
	wait $cpid 2>/dev/null
else
	ok "# SKIP no qemu-ga to compare guest-get-fsinfo and guest-get-disks with"
fi

done_testing
