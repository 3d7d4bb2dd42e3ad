#!/bin/bash
# The QEMU guest agent protocol in a QEMU guest (TCG), on the virtio-serial
# port QEMU users already have: org.qemu.guest_agent.0, found by guestd
# with no configuration. The guest boots with its clock (and RTC) an hour
# behind; guest-set-time fixes it, both with a time and from the RTC; a
# protocol v1 port next to it (org.guestd.0) decouples clock and RTC. Also:
# libvirt's and Proxmox's sequences, a host that hangs up mid-request, and
# no protocol v1 event reaching the QGA stream.
#
# Last, guest-shutdown over the port: QEMU exits, the guest powered off.
#
# Needs root (mkinitramfs makes device nodes), qemu-system-x86_64 and
# Debian's cloud kernel (fetched into build/kernel when missing). Only the
# guest's clock is ever set.
source "$(dirname "$0")/../lib/lib.sh"
source "$TOP/tests/e2e/qemu-boot.sh"
PY="python3 -B"
export PYTHONPATH=$TOP/tests/lib

why=$(qb_skip_reason)
[ -z "$why" ] || skip_all "$why"

# The image: only the native port is configured; the QGA port is found by
# its default name. guestd is /init when it loads modules itself, else it
# boots behind the stand-in init (tests/e2e/stand_in_init.c).
mkdir -p "$T/extra"
printf 'serial=org.guestd.0\n' >"$T/guestd.conf"
init=$GUESTD
if ! "$GUESTD" --help | grep -q -- '--modules '; then
	musl-gcc -static -Os -o "$T/stand_in_init" "$TOP/tests/e2e/stand_in_init.c" ||
		skip_all "cannot build the stand-in init"
	cp "$GUESTD" "$T/extra/guestd"
	init=$T/stand_in_init
	echo "# guestd does no PID 1 setup yet: booting it behind the stand-in init"
fi
"$TOP/initramfs/mkinitramfs.sh" --init "$init" --guestctl "$GUESTCTL" --conf "$T/guestd.conf" \
	--kernel-dir "$TOP/build/kernel" --modules virtio_pci,virtio_console \
	--extra "$T/extra" --out "$T/img.cpio.gz" >"$T/mkinitramfs.log" 2>&1
check "initramfs built" test -s "$T/img.cpio.gz"

QB_ACCEL=tcg
QB_PORT=org.qemu.guest_agent.0
N=$T/native.sock
trap 'qb_stop; cleanup' EXIT
base=$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%S)
qb_start --initrd "$T/img.cpio.gz" --name qga --rtc-base "$base" -- \
	-chardev "socket,id=gd1,path=$N,server=on,wait=off" \
	-device "virtserialport,chardev=gd1,name=org.guestd.0"
export QB_SOCK N KVER=$(cat "$TOP/build/kernel/version")

# A serial connection takes about a second to get its first answer under
# TCG: 0xFF-first guest-sync-delimited until one comes back.
check "the agent answers QGA on org.qemu.guest_agent.0, found with no configuration" $PY - <<'PYEOF'
import os, socket, time
from qga import *
# An attempt that timed out may be answered later, to the next client:
# each has its own id, and the wait is for that id (what clients do).
deadline, n = time.time() + 60, 100
while time.time() < deadline:
    n += 1
    try:
        c = Client(os.environ["QB_SOCK"], timeout=3)
        c.send(b'\xff{"execute":"guest-sync-delimited","arguments":{"id":%d}}\n' % n)
        while True:
            c.after_sentinel()
            if c.line() == b'{"return": %d}\n' % n:
                break
        c.close()
        break
    except (OSError, EOFError):
        time.sleep(0.5)
else:
    raise SystemExit("no answer within 60 s")
PYEOF
check_match "guestd logs the QGA port on the console" \
	"serving on serial /dev/vport[0-9p]+ \(org.qemu.guest_agent.0\): QEMU guest agent protocol" "$(cat "$QB_LOG")"

check "libvirt's sequence: guest-info, osinfo, host name, an hour behind" $PY - <<'PYEOF'
import os, time
from qga import *
c = Client(os.environ["QB_SOCK"], timeout=10)
def cmd(data):
    assert c.libvirt_sync(1795331086713)
    return c.call(data)
info = cmd(libvirt_cmd("guest-info"))["return"]
enabled = {e["name"]: e["enabled"] for e in info["supported_commands"]}
assert enabled["guest-set-time"] and enabled["guest-get-time"], enabled
osinfo = cmd(libvirt_cmd("guest-get-osinfo"))["return"]
assert osinfo["kernel-release"] == os.environ["KVER"], osinfo
assert osinfo["machine"] == "x86_64", osinfo
assert isinstance(cmd(libvirt_cmd("guest-get-host-name"))["return"]["host-name"], str)
off = cmd(libvirt_cmd("guest-get-time"))["return"] - time.time_ns()
print("# guest minus host at boot: %.3f s" % (off / 1e9))
assert -3610e9 < off < -3590e9, off
PYEOF

# guest_off: guest-get-time minus the host clock, in seconds.
cat >"$T/off.py" <<'EOF'
import os, sys, time
from qga import *
c = Client(os.environ["QB_SOCK"], timeout=10)
assert c.libvirt_sync(2)
t0 = time.time_ns()
g = c.call(libvirt_cmd("guest-get-time"))["return"]
print("%.3f" % ((g - (t0 + time.time_ns()) / 2) / 1e9))
EOF
guest_off() { $PY "$T/off.py"; }
# qga NAME [time]: libvirt's way, a guest-sync then the command; prints the answer.
cat >"$T/cmd.py" <<'EOF'
import os, sys, time
from qga import *
c = Client(os.environ["QB_SOCK"], timeout=10)
assert c.libvirt_sync(7)
args = {"time": time.time_ns()} if sys.argv[2:] == ["now"] else {}
print(c.call(libvirt_cmd(sys.argv[1], **args)))
EOF
qga() { $PY "$T/cmd.py" "$@"; }
near() { awk -v v="$1" -v w="$2" -v e="$3" 'BEGIN { d = v - w; exit !(d < e && d > -e) }'; }

# The clock fixed over protocol v1 (no --rtc): the RTC stays an hour behind.
# Meanwhile a QGA client is connected: the clock-jump event must not reach it.
$PY - >"$T/quiet.out" 2>&1 <<'PYEOF' &
import os, time
from qga import *
c = Client(os.environ["QB_SOCK"], timeout=10)
assert c.libvirt_sync(3)
print("ready", flush=True)
print("quiet" if c.nothing_within(6) else "bytes: %r" % c.buf, flush=True)
PYEOF
qpid=$!
for _ in $(seq 20); do
	"$GUESTCTL" --unix "$N" --timeout 3000 ping >/dev/null 2>&1 && break
	sleep 0.5
done
for _ in $(seq 50); do grep -q ready "$T/quiet.out" && break; sleep 0.1; done
"$GUESTCTL" --unix "$N" --timeout 5000 --json time sync >"$T/sync.out" 2>&1
check_match "protocol v1 time sync steps the hour (RTC left alone)" '"action":"step"' "$(cat "$T/sync.out")"
wait $qpid
check_eq "no protocol v1 clock-jump frame on the QGA stream" "quiet" "$(tail -n1 "$T/quiet.out")"
off=$(guest_off)
check "guest clock now right ($off s)" near "$off" 0 2

r=$(qga guest-set-time)
check_eq "guest-set-time without a time answers {}" "{'return': {}}" "$r"
off=$(guest_off)
check "guest-set-time without a time read the RTC: an hour behind again ($off s)" near "$off" -3600 3

r=$(qga guest-set-time now)
check_eq "guest-set-time with the host's time answers {}" "{'return': {}}" "$r"
off=$(guest_off)
check "guest-set-time fixed the clock that was an hour wrong ($off s)" near "$off" 0 1
echo "# after guest-set-time: guest minus host $off s (TCG, one serial round trip)"

r=$(qga guest-set-time)
off=$(guest_off)
check "it also wrote the RTC: reading it back keeps the clock right ($off s)" near "$off" 0 2

check "Proxmox's pair, and a host that hangs up mid-request" $PY - <<'PYEOF'
import os, time
from qga import *
c = Client(os.environ["QB_SOCK"], timeout=10)
c.send(proxmox_pair(123450001, "guest-fsfreeze-status", args_first=True))
assert c.proxmox_read() == ({"return": 123450001}, {"return": "thawed"})
c.send(b'{"execute":"guest-sync","argum')
time.sleep(0.5)
c.close()
time.sleep(0.5)  # the guest sees the hang-up and drops the half request
c = Client(os.environ["QB_SOCK"], timeout=10)
c.send(libvirt_sync(4))  # no 0xFF first: libvirt's way, right after a hang-up
r = c.line()
assert r == b'{"return": 4}\n', r
PYEOF

# Last: guest-shutdown as libvirt sends it (virsh shutdown --mode agent).
check "guest-shutdown: the sync answered, the shutdown not, then the port closes" $PY - <<'PYEOF'
import os, time
from qga import *
c = Client(os.environ["QB_SOCK"], timeout=30)
assert c.libvirt_sync(6)
c.send(libvirt_cmd("guest-shutdown", mode="powerdown"))
try:
    extra = c.line()
except (EOFError, OSError):
    extra = None  # QEMU went away with its chardev
assert extra is None, extra
PYEOF
if qb_wait_exit 60; then
	ok "QEMU exited after guest-shutdown (status $QB_STATUS)"
	check_eq "the guest powered off" poweroff "$(qb_exit_kind)"
else
	qb_fail "QEMU still running 60 s after guest-shutdown"
	not_ok "QEMU exited after guest-shutdown"
fi

qb_stop
done_testing
