#!/bin/bash
# The QGA commands of issue 17 (processors, disk statistics, users, exec,
# files, credentials, suspend, memory blocks, allow/block lists) on
# --qga-unix: each result's shape and member order as qemu-ga writes it
# (QEMU's QDict hash order), each value against the system, every limit at
# its constant and one past it, bad arguments answered with
# qemu-ga's error class while the agent keeps serving.
#
# This host is never changed: writes to /sys (vCPUs and memory blocks
# online, /sys/power/state) and /etc (shadow, passwd homes) go only to an
# agent started inside `unshare --mount` with temp directories bound over
# /sys/devices/system/cpu, /sys/devices/system/memory, /sys/power, /etc and
# /run; the agent is started only when every bind succeeded, and its
# mountinfo is checked before anything is written. Suspend only ever writes
# the fake /sys/power/state.
source "$(dirname "$0")/../lib/lib.sh"
PY="python3 -B -W ignore"
export PYTHONPATH=$TOP/tests/lib TOP T
Q=$T/qga.sock
"$GUESTD" --no-vsock --local-sock "" --config /nonexistent --cmdline /nonexistent \
	--qga-unix "$Q" >>"$T/agent.log" 2>&1 &
AGENT_PID=$!; _pids+=($AGENT_PID)
wait_for_socket "$Q" || not_ok "agent starts"
export Q

# --- the namespace agent: fake /sys/devices/system/cpu, /sys/power, /etc, /run
NS=$T/ns; NQ=$T/nsqga.sock
mkdir -p "$NS/cpu/cpu0" "$NS/cpu/cpu1" "$NS/cpu/cpu2" "$NS/cpu/cpufreq" \
	"$NS/power" "$NS/etc" "$NS/run" "$NS/home" \
	"$NS/memory/memory0" "$NS/memory/memory1" "$NS/memory/memory2"
echo 1 >"$NS/cpu/cpu1/online"; echo 0 >"$NS/cpu/cpu2/online"
printf 'freeze mem disk\n' >"$NS/power/state"
printf '[platform] shutdown reboot suspend test_resume\n' >"$NS/power/disk"
echo online >"$NS/memory/memory0/state"; echo offline >"$NS/memory/memory1/state"
printf '8000000\n' >"$NS/memory/block_size_bytes"   # memory2: no state file
export NS NQ
$PY - <<'PYEOF'
import os, struct, time
ns = os.environ["NS"]
def rec(typ, user, sec, usec):
    r = bytearray(384)
    struct.pack_into("<h", r, 0, typ)
    r[44:44 + len(user)] = user
    struct.pack_into("<ii", r, 340, sec, usec)
    return bytes(r)
with open(ns + "/run/utmp", "wb") as f:
    f.write(rec(2, b"reboot", 1700000000, 0))              # BOOT_TIME
    f.write(rec(7, b"alice", 1700000100, 250000))
    f.write(rec(7, b"bob", 1700000200, 0))
    f.write(rec(7, b"alice", 1700000050, 500000))          # earlier: kept
    f.write(rec(8, b"carol", 1700000300, 0))               # DEAD_PROCESS
    f.write(rec(7, b"x" * 32, 1700000400, 1))              # no NUL: 32 bytes
    f.write(b"\0" * 100)                                   # torn record
with open(ns + "/etc/passwd", "w") as f:
    f.write("root:x:0:0:root:/root:/bin/sh\n")
    f.write("tester:x:12345:12346:T:%s/home/tester:/bin/sh\n" % ns)
    f.write("nohome:x:12347:12347:N:%s/home/absent/deeper:/bin/sh\n" % ns)
with open(ns + "/etc/shadow", "w") as f:
    f.write("root:*:19000:0:99999:7:::\n")
    f.write("tester:!:19000:0:99999:7:::\n")
    f.write("nohome:*:19000:0:99999:7:::\n")
os.chmod(ns + "/etc/shadow", 0o640)
os.chown(ns + "/etc/shadow", 0, 42)                       # root:shadow, kept
os.makedirs(ns + "/home/tester", mode=0o755)
os.chown(ns + "/home/tester", 12345, 12346)
PYEOF
unshare --mount --propagation private sh -c '
	mount --bind "$1/cpu" /sys/devices/system/cpu &&
	mount --bind "$1/power" /sys/power &&
	mount --bind "$1/etc" /etc &&
	mount --bind "$1/run" /run &&
	mount --bind "$1/memory" /sys/devices/system/memory &&
	exec "$2" --no-vsock --local-sock "" --config /nonexistent \
		--cmdline /nonexistent --qga-unix "$3"' sh "$NS" "$GUESTD" "$NQ" \
	>>"$T/nsagent.log" 2>&1 &
NS_PID=$!; _pids+=($NS_PID)
ns_ok=0
if wait_for_socket "$NQ" && [ "$(readlink /proc/$NS_PID/exe)" = "$(readlink -f "$GUESTD")" ]; then
	mi=$(cat /proc/$NS_PID/mountinfo)
	[[ $mi == *" /sys/power "* && $mi == *" /sys/devices/system/cpu "* &&
	   $mi == *" /etc "* && $mi == *" /run "* &&
	   $mi == *" /sys/devices/system/memory "* ]] && ns_ok=1
fi
check_eq "namespace agent runs with temp dirs over /sys/devices/system/cpu and memory, /sys/power, /etc, /run" 1 $ns_ok
[ $ns_ok = 1 ] || { done_testing; exit 1; }

# --- 1. processors, load, users, memory blocks
check "guest-get-load: load1/5/15 as /proc/loadavg's, %.17g, qemu-ga's order" $PY - <<'PYEOF'
import os, re
from qga import *
c = Client(os.environ["Q"])
c.send(libvirt_cmd("guest-get-load")); line = c.line()
m = re.fullmatch(rb'\{"return": \{"load5": (\S+), "load1": (\S+), "load15": (\S+)\}\}\n', line)
assert m, line
got = [float(m.group(i)) for i in (2, 1, 3)]
for g, v in zip(got, open("/proc/loadavg").read().split()[:3]):
    assert abs(g - float(v)) <= 0.5, (got, v)
    assert m.group(1) is not None
for s in m.groups():   # written as QEMU writes a double
    assert s == b"%.17g" % float(s), s
PYEOF

check "guest-get-cpustats: one entry per cpuN line of /proc/stat, ms, qemu-ga's member order" $PY - <<'PYEOF'
import os, time
from qga import *
c = Client(os.environ["Q"])
tck = os.sysconf("SC_CLK_TCK")
c.send(libvirt_cmd("guest-get-cpustats")); r = json.loads(c.line())["return"]
lines = [l.split() for l in open("/proc/stat") if l.startswith("cpu") and l[3] != " "]
assert len(r) == len(lines) == os.cpu_count(), (len(r), len(lines))
order = ["cpu", "guestnice", "idle", "steal", "iowait", "system", "guest",
         "nice", "irq", "type", "user", "softirq"]
names = ["user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal",
         "guest", "guestnice"]
for e, l in zip(r, lines):
    assert list(e) == order, list(e)
    assert e["type"] == "linux" and e["cpu"] == int(l[0][3:]), e
    for n, v in zip(names, l[1:]):
        now = int(v) * 1000 // tck
        assert now - 5000 <= e[n] <= now, (n, e[n], now)   # counters only grow
PYEOF

check "guest-get-diskstats: every /proc/diskstats line, qemu-ga 7.2's members and order, values between two reads" $PY - <<'PYEOF'
import os, json
from qga import *
c = Client(os.environ["Q"])
def table():
    t = {}
    for l in open("/proc/diskstats"):
        f = l.split()
        if len(f) >= 7:
            t[f[2]] = (int(f[0]), int(f[1]), [int(x) for x in f[3:20]])
    return t
order = ["discard-sectors", "write-ios", "discard-ios", "discard-ticks", "weight-ticks",
         "read-ios", "flush-ios", "write-sectors", "write-merges", "write-ticks", "ios-pgr",
         "read-sectors", "read-merges", "total-ticks", "discard-merges", "flush-ticks",
         "read-ticks"]   # the bytes qemu-ga 7.2 sent on this machine
field = {"read-ios": 0, "read-merges": 1, "read-sectors": 2, "read-ticks": 3,
         "write-ios": 4, "write-merges": 5, "write-sectors": 6, "write-ticks": 7,
         "ios-pgr": 8, "total-ticks": 9, "weight-ticks": 10, "discard-ios": 11,
         "discard-merges": 12, "discard-sectors": 13, "discard-ticks": 14,
         "flush-ios": 15, "flush-ticks": 16}
a = table()
c.send(libvirt_cmd("guest-get-diskstats")); line = c.line(); r = json.loads(line)["return"]
b = table()
assert [e["name"] for e in r] == list(a), (r, a)
for e in r:
    assert list(e) == ["name", "stats", "minor", "major"], e
    assert (e["major"], e["minor"]) == a[e["name"]][:2]
    n = len(a[e["name"]][2])
    want = [k for k in order if n >= 17 or field[k] < (15 if n >= 15 else 11)]
    assert list(e["stats"]) == want, (e, n)
    for k, v in e["stats"].items():
        lo, hi = a[e["name"]][2][field[k]], b[e["name"]][2][field[k]]
        assert lo <= v <= hi or k == "ios-pgr", (e["name"], k, lo, v, hi)
PYEOF

check "guest-get-vcpus: /sys/devices/system/cpu's cpuN, online, can-offline (cpu0 without online file)" $PY - <<'PYEOF'
import os
from qga import *
c = Client(os.environ["Q"])
c.send(libvirt_cmd("guest-get-vcpus")); r = json.loads(c.line())["return"]
assert all(list(e) == ["online", "can-offline", "logical-id"] for e in r), r
d = "/sys/devices/system/cpu"
want = {}
for n in os.listdir(d):
    if n.startswith("cpu") and n[3:].isdigit():
        p = "%s/%s/online" % (d, n)
        want[int(n[3:])] = ((open(p).read(1) != "0", True) if os.path.exists(p)
                            else (True, False))
assert {e["logical-id"]: (e["online"], e["can-offline"]) for e in r} == want, (r, want)
PYEOF

check "guest-get-memory-blocks and -block-info: /sys/devices/system/memory as qemu-ga reads it" $PY - <<'PYEOF'
import os
from qga import *
c = Client(os.environ["Q"])
c.send(libvirt_cmd("guest-get-memory-blocks")); r = json.loads(c.line())["return"]
d = "/sys/devices/system/memory"
names = [n for n in os.listdir(d) if n.startswith("memory") and n[6:].isdigit()]
assert sorted(e["phys-index"] for e in r) == sorted(int(n[6:]) for n in names)
for e in r:
    assert list(e) == ["online", "can-offline", "phys-index"], e
    b = "%s/memory%d/" % (d, e["phys-index"])
    assert e["online"] == open(b + "state").read().startswith("online")
    rm = b + "removable"
    assert e["can-offline"] == (os.path.exists(rm) and open(rm).read(1) != "0")
c.send(libvirt_cmd("guest-get-memory-block-info"))
assert c.line() == b'{"return": {"size": %d}}\n' % int(open(d + "/block_size_bytes").read(), 16)
PYEOF

check "guest-get-users: utmp's USER_PROCESS users once each, earliest login, in file order" $PY - <<'PYEOF'
import os
from qga import *
c = Client(os.environ["NQ"])
c.send(libvirt_cmd("guest-get-users"))
line = c.line()
assert line == (b'{"return": [{"login-time": 1700000050.5, "user": "alice"}, '
                b'{"login-time": 1700000200, "user": "bob"}, '
                b'{"login-time": %s, "user": "' % (b"%.17g" % (1700000400 + 1 / 1e6))
                + b"x" * 32 + b'"}]}\n'), line
c2 = Client(os.environ["Q"])   # this host has no utmp, or a real one
c2.send(libvirt_cmd("guest-get-users")); r = json.loads(c2.line())["return"]
assert isinstance(r, list) and all(list(u) == ["login-time", "user"] for u in r), r
if not os.path.exists("/var/run/utmp"):
    assert r == [], r
PYEOF

check "guest-set-vcpus: offline and online through cpuN/online, count of entries done, errors as qemu-ga's" $PY - <<'PYEOF'
import os
from qga import *
ns = os.environ["NS"] + "/cpu"
c = Client(os.environ["NQ"])
def call(args):
    c.send(b'{"execute": "guest-set-vcpus", "arguments": %s}\n' % json.dumps(args).encode())
    return json.loads(c.line())
c.send(libvirt_cmd("guest-get-vcpus")); r = json.loads(c.line())["return"]
assert sorted((e["logical-id"], e["online"], e["can-offline"]) for e in r) == \
    [(0, True, False), (1, True, True), (2, False, True)], r
assert call({"vcpus": [{"logical-id": 1, "online": False},
                       {"logical-id": 2, "online": True}]}) == {"return": 2}
assert open(ns + "/cpu1/online").read(1) == "0" and open(ns + "/cpu2/online").read(1) == "1"
assert call({"vcpus": []}) == {"return": 0}
# cpu0 has no online file: it cannot go offline; the first entry fails
assert call({"vcpus": [{"logical-id": 0, "online": False}]}) == {"error": {
    "class": "GenericError", "desc": "logical processor #0 can't be offlined"}}
# a later failure ends the list: the count of those done, no error
assert call({"vcpus": [{"logical-id": 1, "online": True},
                       {"logical-id": 7, "online": True}]}) == {"return": 1}
assert call({"vcpus": [{"logical-id": 7, "online": True}]}) == {"error": {
    "class": "GenericError",
    "desc": 'open("/sys/devices/system/cpu/cpu7/"): No such file or directory'}}
for args, desc in [
        ({}, "Parameter 'vcpus' is missing"),
        ({"vcpus": 1}, "Invalid parameter type for 'vcpus', expected: array"),
        ({"vcpus": [1]}, "Invalid parameter type for 'vcpus[0]', expected: object"),
        ({"vcpus": [{"online": True}]}, "Parameter 'vcpus[0].logical-id' is missing"),
        ({"vcpus": [{"logical-id": 1, "online": 1}]},
         "Invalid parameter type for 'vcpus[0].online', expected: boolean"),
        ({"vcpus": [{"logical-id": 1, "online": True, "x": 1}]},
         "Parameter 'vcpus[0].x' is unexpected")]:
    r = call(args)
    assert r == {"error": {"class": "GenericError", "desc": desc}}, (args, r)
assert open(ns + "/cpu1/online").read(1) == "1"   # refused lists change nothing
c.send(libvirt_cmd("guest-ping")); assert c.line() == b'{"return": {}}\n'
PYEOF

# --- 2. guest-exec, guest-exec-status
cat >"$T/qexec.py" <<'PYEOF'
import base64, json, os, time
from qga import *
TOP = os.environ["TOP"]
SLOTS = header_define(TOP + "/agent/exec/exec.h", "GD_EXEC_SLOTS")
INPUT_MAX = header_define(TOP + "/agent/exec/exec.h", "GD_EXEC_INPUT_MAX")
CAPTURE_MAX = header_define(TOP + "/agent/exec/exec.h", "GD_EXEC_CAPTURE_MAX")
c = Client(os.environ["Q"], timeout=10)
def call(cmd, **args):
    c.send(json.dumps({"execute": cmd, "arguments": args}).encode() + b"\n")
    return json.loads(c.line())
def err(desc):
    return {"error": {"class": "GenericError", "desc": desc}}
def run(path, args=None, **kw):
    kw = {k.replace("_", "-"): v for k, v in kw.items()}
    r = call("guest-exec", path=path, arg=args or [], **kw)
    assert list(r) == ["return"] and list(r["return"]) == ["pid"], r
    return r["return"]["pid"]
def status(pid, wait=True):
    for _ in range(500):
        c.send(b'{"execute":"guest-exec-status","arguments":{"pid":%d}}\n' % pid)
        line = c.line(); r = json.loads(line)
        if not wait or r["return"]["exited"]:
            return line, r["return"]
        time.sleep(0.01)
    raise AssertionError("pid %d never exited" % pid)
b64 = lambda b: base64.b64encode(b).decode()
PYEOF

check "guest-exec: before exit only exited:false; after, exitcode and output in qemu-ga's order; the slot is freed" $PY - <<'PYEOF'
import os; exec(open(os.environ["T"] + "/qexec.py").read())
pid = run("sh", ["-c", "read x; echo out-$x; echo err >&2; exit 3"],
          input_data=b64(b"go\n"), capture_output=True)
# stdin is fed by the agent: the process waits for nothing but its input
pid2 = run("sleep", ["0.5"])
line, r = status(pid2, wait=False)
assert line == b'{"return": {"exited": false}}\n', line
line, r = status(pid)
assert line == (b'{"return": {"exitcode": 3, "err-data": "%s", "out-data": "%s", '
                b'"exited": true}}\n' % (b64(b"err\n").encode(), b64(b"out-go\n").encode())), line
assert call("guest-exec-status", pid=pid) == err("Invalid parameter 'pid'")  # freed
line, r = status(pid2)
assert line == b'{"return": {"exitcode": 0, "exited": true}}\n', line  # no capture
pid = run("sh", ["-c", "kill -KILL $$"], capture_output=True)
line, r = status(pid)
assert line == b'{"return": {"signal": 9, "exited": true}}\n', line
# env replaces the environment; PATH from it is searched, as glib's spawn
pid = run("sh", ["-c", "echo $A-$HOME"], env=["A=1", "PATH=/usr/bin:/bin"],
          capture_output=True)
assert base64.b64decode(status(pid)[1]["out-data"]) == b"1-\n"
# capture-output modes of qemu-ga 8.1: merged puts stderr into out-data
pid = run("sh", ["-c", "echo a; echo b >&2"], capture_output="merged")
r = status(pid)[1]
assert base64.b64decode(r["out-data"]) == b"a\nb\n" and "err-data" not in r, r
pid = run("sh", ["-c", "echo a; echo b >&2"], capture_output="stderr")
r = status(pid)[1]
assert base64.b64decode(r["err-data"]) == b"b\n" and "out-data" not in r, r
# without input-data stdin is /dev/null; without capture stdout too
pid = run("sh", ["-c", "cat; test -t 1 || echo x"], capture_output=False)
assert status(pid)[1] == {"exitcode": 0, "exited": True}
PYEOF

check "guest-exec input-data: $((64 * 1024)) bytes reach stdin whole; one byte more is refused" $PY - <<'PYEOF'
import os; exec(open(os.environ["T"] + "/qexec.py").read())
data = bytes(range(256)) * (INPUT_MAX // 256)
assert len(data) == INPUT_MAX == 65536
pid = run("sh", ["-c", "cksum"], input_data=b64(data), capture_output=True)
import subprocess
want = subprocess.run(["cksum"], input=data, capture_output=True).stdout
assert base64.b64decode(status(pid)[1]["out-data"]) == want
r = call("guest-exec", path="cat", **{"input-data": b64(data + b"x")})
assert r == err("input-data decodes to more than %d bytes" % INPUT_MAX), r
assert call("guest-exec", path="cat", **{"input-data": "a*=="}) == \
    err("Base64 data contains invalid characters")
PYEOF

check "guest-exec output past the capture bound: $((5 * 1024)) bytes kept, out-truncated/err-truncated true" $PY - <<'PYEOF'
import os; exec(open(os.environ["T"] + "/qexec.py").read())
pid = run("sh", ["-c", "head -c %d /dev/zero | tr '\\0' a; head -c %d /dev/zero >&2"
                 % (CAPTURE_MAX, 200000)], capture_output=True)
line, r = status(pid)
assert list(r) == ["exitcode", "err-data", "out-data", "err-truncated", "exited"], r
assert base64.b64decode(r["out-data"]) == b"a" * CAPTURE_MAX   # at the bound: whole
assert len(base64.b64decode(r["err-data"])) == CAPTURE_MAX and r["err-truncated"] is True
pid = run("sh", ["-c", "head -c %d /dev/zero" % (CAPTURE_MAX + 1)], capture_output=True)
r = status(pid)[1]
assert r["out-truncated"] is True and len(base64.b64decode(r["out-data"])) == CAPTURE_MAX
PYEOF

check "guest-exec table: $(grep -oP "#define GD_EXEC_SLOTS \K[0-9]+" "$TOP/agent/exec/exec.h") processes not yet reported fill it; the next is refused until one is reported" $PY - <<'PYEOF'
import os; exec(open(os.environ["T"] + "/qexec.py").read())
pids = [run("sleep", ["0.3"]) for _ in range(SLOTS)]
r = call("guest-exec", path="true")
assert r == err("Guest agent command failed, error was 'all %d guest-exec slots are in "
                "use (a slot is freed when guest-exec-status reports its process exited)'"
                % SLOTS), r
time.sleep(0.5)
assert call("guest-exec", path="true")["error"]   # exited but not reported: still held
status(pids[0])
pid = run("true")                                  # one reported: one free
for p in pids[1:] + [pid]:
    status(p)
PYEOF

check "guest-exec bad arguments: qemu-ga's errors, the agent keeps serving" $PY - <<'PYEOF'
import os; exec(open(os.environ["T"] + "/qexec.py").read())
for args, desc in [
        ({}, "Parameter 'path' is missing"),
        ({"path": 1}, "Invalid parameter type for 'path', expected: string"),
        ({"path": "true", "arg": "x"}, "Invalid parameter type for 'arg', expected: array"),
        ({"path": "true", "arg": ["a", 1]}, "Invalid parameter type for 'arg[1]', expected: string"),
        ({"path": "true", "env": [{}]}, "Invalid parameter type for 'env[0]', expected: string"),
        ({"path": "true", "capture-output": "all"},
         "Parameter 'capture-output' does not accept value 'all'"),
        ({"path": "true", "capture-output": 1},
         "Invalid parameter type for 'capture-output', expected: GuestExecCaptureOutput"),
        ({"path": "true", "x": 1}, "Parameter 'x' is unexpected"),
        ({"path": "/nonexistent/cmd"}, "Guest agent command failed, error was 'Failed to "
         "execute child process \u201c/nonexistent/cmd\u201d (No such file or directory)'")]:
    r = call("guest-exec", **args)
    assert r == err(desc), (args, r)
assert call("guest-exec-status") == err("Parameter 'pid' is missing")
assert call("guest-exec-status", pid=-1) == err("Invalid parameter 'pid'")
c.send(libvirt_cmd("guest-exec", path="/nonexistent/cmd"))
assert c.line().endswith(b'\\u201C/nonexistent/cmd\\u201D (No such file or directory)\'"}}\n')
pid = run("true"); assert status(pid)[1] == {"exitcode": 0, "exited": True}
PYEOF

check "Proxmox's bytes: guest-sync-delimited then guest-exec / guest-exec-status in one write" $PY - <<'PYEOF'
import os; exec(open(os.environ["T"] + "/qexec.py").read())
c.send(proxmox_pair(77, "guest-exec", {"path": "echo", "arg": ["pve"],
                                       "capture-output": True}, args_first=True))
sync, r = c.proxmox_read()
assert sync == {"return": 77}, sync
pid = r["return"]["pid"]
for _ in range(200):
    c.send(proxmox_pair(78, "guest-exec-status", {"pid": pid}))
    sync, r = c.proxmox_read()
    if r["return"]["exited"]:
        break
    time.sleep(0.01)
assert r == {"return": {"exitcode": 0, "out-data": b64(b"pve\n"), "exited": True}}, r
PYEOF

# --- 3. guest-file-*
cat >"$T/qfile.py" <<'PYEOF'
import base64, json, os
from qga import *
TOP = os.environ["TOP"]
src = TOP + "/agent/qga/qga_file.c"
HANDLES = header_define(src, "QGA_FILE_HANDLES")
READ_MAX = header_define(src, "QGA_FILE_READ_MAX")
WRITE_MAX = header_define(src, "QGA_FILE_WRITE_MAX")
c = Client(os.environ["Q"])
def call(cmd, **args):
    c.send(json.dumps({"execute": cmd, "arguments": args}).encode() + b"\n")
    return json.loads(c.line())
def err(desc):
    return {"error": {"class": "GenericError", "desc": desc}}
b64 = lambda b: base64.b64encode(b).decode()
F = os.environ["T"] + "/f.bin"
PYEOF

check "guest-file-write of $((60 * 1024)) bytes, then Proxmox's 1 MiB reads: short reads within the response bound, eof at the end" $PY - <<'PYEOF'
import os; exec(open(os.environ["T"] + "/qfile.py").read())
data = os.urandom(WRITE_MAX)
h = call("guest-file-open", path=F, mode="w+")["return"]
assert isinstance(h, int) and h >= 1000, h
c.send(libvirt_cmd("guest-file-write", handle=h, **{"buf-b64": b64(data)}))
assert c.line() == b'{"return": {"count": %d, "eof": false}}\n' % WRITE_MAX
assert open(F, "rb").read() == data
c.send(libvirt_cmd("guest-file-seek", handle=h, offset=0, whence="set"))
assert c.line() == b'{"return": {"eof": false, "position": 0}}\n'
got, reads = b"", 0
while True:   # PVE::API2::Qemu::Agent file-read: count 1 MiB until eof
    c.send(proxmox_pair(5, "guest-file-read", {"handle": h, "count": 1024 * 1024}))
    sync, r = c.proxmox_read()
    assert sync == {"return": 5} and list(r["return"]) == ["count", "buf-b64", "eof"], r
    chunk = base64.b64decode(r["return"]["buf-b64"])
    assert len(chunk) == r["return"]["count"] <= READ_MAX
    got += chunk; reads += 1
    if r["return"]["eof"]:
        break
assert got == data and reads == -(-WRITE_MAX // READ_MAX) + (WRITE_MAX % READ_MAX == 0)
assert call("guest-file-read", handle=h) == {"return": {"count": 0, "buf-b64": "", "eof": True}}
assert call("guest-file-flush", handle=h) == {"return": {}}
assert call("guest-file-close", handle=h) == {"return": {}}
PYEOF

check "Proxmox's bytes: file-write (open wb, $((60 * 1024)) bytes as encode_base64's 76-column lines, close), then file-read (open with no mode, 1 MiB reads, close)" $PY - <<'PYEOF'
import os; exec(open(os.environ["T"] + "/qfile.py").read())
def pve(id, cmd, args, first=False):   # one write, as PVE/QMPClient.pm
    c.send(proxmox_pair(id, cmd, args, args_first=first))
    sync, r = c.proxmox_read()
    assert sync == {"return": id}, (sync, r)
    return r
data, P = os.urandom(WRITE_MAX), F + ".pve"
h = pve(10, "guest-file-open", {"path": P, "mode": "wb"})["return"]
assert isinstance(h, int), h
buf = base64.encodebytes(data).decode()   # Perl's encode_base64($content)
assert buf.count("\n") == -(-len(buf.replace("\n", "")) // 76) and buf.endswith("\n")
assert pve(11, "guest-file-write", {"handle": h, "buf-b64": buf}, True) == \
    {"return": {"count": WRITE_MAX, "eof": False}}
assert pve(12, "guest-file-close", {"handle": h}) == {"return": {}}
assert open(P, "rb").read() == data
h = pve(13, "guest-file-open", {"path": P}, True)["return"]   # qemu-ga's default "r"
got, eof = b"", False
for i in range(100):
    r = pve(14 + i, "guest-file-read", {"handle": h, "count": 1024 * 1024})["return"]
    got += base64.b64decode(r["buf-b64"])
    if r["eof"]:
        break
assert r["eof"] and got == data, (len(got), r)
assert pve(200, "guest-file-close", {"handle": h}, True) == {"return": {}}
assert pve(201, "guest-file-close", {"handle": h}) == err("handle '%d' has not been found" % h)
os.unlink(P)
PYEOF

check "guest-file limits: write one byte past $((60 * 1024)), read count past 48 MiB or negative, bad count" $PY - <<'PYEOF'
import os; exec(open(os.environ["T"] + "/qfile.py").read())
h = call("guest-file-open", path=F, mode="a")["return"]
assert call("guest-file-write", handle=h, **{"buf-b64": b64(b"x" * (WRITE_MAX + 1))}) == \
    err("buf-b64 decodes to more than %d bytes" % WRITE_MAX)
assert call("guest-file-write", handle=h, **{"buf-b64": b64(b"abc"), "count": 4}) == \
    err("Invalid parameter 'count'")
assert call("guest-file-write", handle=h, **{"buf-b64": b64(b"abc"), "count": 2}) == \
    {"return": {"count": 2, "eof": False}}
assert call("guest-file-write", handle=h, **{"buf-b64": "@@"}) == \
    err("Base64 data contains invalid characters")
call("guest-file-close", handle=h)
h = call("guest-file-open", path=F)["return"]
assert call("guest-file-read", handle=h, count=48 * 1024 * 1024 + 1) == \
    err("value '%d' is invalid for argument count" % (48 * 1024 * 1024 + 1))
assert call("guest-file-read", handle=h, count=-1) == err("value '-1' is invalid for argument count")
r = call("guest-file-read", handle=h, count=48 * 1024 * 1024)["return"]
assert r["count"] == READ_MAX and not r["eof"], r     # clamped: a short read
assert call("guest-file-write", handle=h, **{"buf-b64": "YQ=="})["error"]["desc"] \
    .startswith("failed to write to file: ")             # opened read-only
call("guest-file-close", handle=h)
PYEOF

check "guest-file handles: $(grep -oP '#define QGA_FILE_HANDLES \K[0-9]+' "$TOP/agent/qga/qga_file.c") open at once, the next refused; unknown handles, modes and whence as qemu-ga" $PY - <<'PYEOF'
import os; exec(open(os.environ["T"] + "/qfile.py").read())
hs = [call("guest-file-open", path=F, mode="r")["return"] for _ in range(HANDLES)]
assert hs == sorted(set(hs)) and all(isinstance(x, int) for x in hs), hs
assert call("guest-file-open", path=F) == err("all %d file handles are in use" % HANDLES)
assert call("guest-file-close", handle=hs[0]) == {"return": {}}
assert call("guest-file-close", handle=hs[0]) == err("handle '%d' has not been found" % hs[0])
h = call("guest-file-open", path=F)["return"]
assert h > hs[-1]                                      # numbers are never reused
for x in hs[1:] + [h]:
    call("guest-file-close", handle=x)
for args, desc in [
        ({"path": F, "mode": "rw"}, "invalid file open mode 'rw'"),
        ({"path": F, "mode": ""}, "invalid file open mode ''"),
        ({"path": "/nonexistent/x"}, "failed to open file '/nonexistent/x' (mode: 'r'): "
         "No such file or directory"),
        ({}, "Parameter 'path' is missing")]:
    assert call("guest-file-open", **args) == err(desc), args
h = call("guest-file-open", path=F, mode="r")["return"]
size = os.path.getsize(F)
assert call("guest-file-seek", handle=h, offset=-2, whence=2) == \
    {"return": {"eof": False, "position": size - 2}}
assert call("guest-file-seek", handle=h, offset=1, whence="cur") == \
    {"return": {"eof": False, "position": size - 1}}
assert call("guest-file-seek", handle=h, offset=0, whence=3) == err("invalid whence code 3")
assert call("guest-file-seek", handle=h, offset=0, whence="top") == \
    err("Parameter 'whence' does not accept value 'top'")
assert call("guest-file-seek", handle=h, offset=-1, whence="set")["error"]["desc"] == \
    "failed to seek file: Invalid argument"
assert call("guest-file-seek", handle=h, offset=0) == err("Parameter 'whence' is missing")
assert call("guest-file-read", handle=99) == err("handle '99' has not been found")
assert call("guest-file-flush", handle="x") == \
    err("Invalid parameter type for 'handle', expected: integer")
assert call("guest-file-close", handle=h) == {"return": {}}
c.send(libvirt_cmd("guest-ping")); assert c.line() == b'{"return": {}}\n'
PYEOF
# --- 4. credentials, suspend, memory blocks (all on the namespace agent)
cat >"$T/qcred.py" <<'PYEOF'
import base64, crypt, json, os, time
from qga import *
TOP = os.environ["TOP"]; NS = os.environ["NS"]
SRC = TOP + "/agent/qga/"
PW_MAX = header_define(SRC + "qga_creds.c", "QGA_PASSWORD_MAX")
KEY_MAX = header_define(SRC + "qga_ssh.c", "QGA_SSH_KEY_MAX")
KEYS_MAX = header_define(SRC + "qga_ssh.c", "QGA_SSH_KEYS_MAX")
FILE_MAX = header_define(SRC + "qga_ssh.c", "QGA_SSH_FILE_MAX")
c = Client(os.environ["NQ"])
def call(cmd, **args):
    c.send(json.dumps({"execute": cmd, "arguments": args}).encode() + b"\n")
    return json.loads(c.line())
def err(desc):
    return {"error": {"class": "GenericError", "desc": desc}}
b64 = lambda b: base64.b64encode(b if isinstance(b, bytes) else b.encode()).decode()
SHADOW = NS + "/etc/shadow"
HOME = NS + "/home/tester"
AK = HOME + "/.ssh/authorized_keys"
def shadow_of(user):
    for l in open(SHADOW):
        if l.startswith(user + ":"):
            return l.rstrip("\n").split(":")
def ping():
    c.send(libvirt_cmd("guest-ping")); assert c.line() == b'{"return": {}}\n'
PYEOF

check "guest-set-user-password: a clear password is stored as a \$6\$ hash that crypt(3) verifies, atomically, mode and owner kept" $PY - <<'PYEOF'
import os; exec(open(os.environ["T"] + "/qcred.py").read())
before = open(SHADOW).read().splitlines()
c.send(libvirt_cmd("guest-set-user-password", username="tester",
                   password=b64("s3cret pw\u00e9"), crypted=False))
assert c.line() == b'{"return": {}}\n'
f = shadow_of("tester")
assert f[1].startswith("$6$") and len(f[1].split("$")[2]) == 16, f
assert crypt.crypt("s3cret pw\u00e9", f[1]) == f[1], f        # glibc verifies it
assert crypt.crypt("s3cret pw", f[1]) != f[1]
assert f[2] == str(int(time.time()) // 86400) and f[3:] == ["0", "99999", "7", "", "", ""], f
after = open(SHADOW).read().splitlines()
assert [l for l in after if not l.startswith("tester:")] == \
       [l for l in before if not l.startswith("tester:")]
st = os.stat(SHADOW)
assert (st.st_mode & 0o7777, st.st_uid, st.st_gid) == (0o640, 0, 42), st
assert not os.path.exists(NS + "/etc/shadow+")
# two calls, two salts
call("guest-set-user-password", username="tester", password=b64("x"), crypted=False)
h1 = shadow_of("tester")[1]
call("guest-set-user-password", username="tester", password=b64("x"), crypted=False)
assert shadow_of("tester")[1] != h1 and crypt.crypt("x", h1) == h1
PYEOF

check "Proxmox's bytes: set-user-password's encode_base64 (trailing newline), crypted false then true" $PY - <<'PYEOF'
import os; exec(open(os.environ["T"] + "/qcred.py").read())
def pve(id, cmd, args, first=False):   # one write, as PVE/QMPClient.pm
    c.send(proxmox_pair(id, cmd, args, args_first=first))
    sync, r = c.proxmox_read()
    assert sync == {"return": id}, (sync, r)
    return r
pw = "pve pass\u00e9 " + "x" * 60   # over 57 bytes: encode_base64 folds the line
enc = base64.encodebytes(pw.encode()).decode()
assert enc.count("\n") == 2, enc
others = [l for l in open(SHADOW).read().splitlines() if not l.startswith("tester:")]
assert pve(20, "guest-set-user-password", {"username": "tester", "password": enc,
                                           "crypted": False}) == {"return": {}}
h = shadow_of("tester")[1]
assert h.startswith("$6$") and crypt.crypt(pw, h) == h, h
h2 = crypt.crypt("pve crypted", "$6$pvesaltpvesalt")
assert pve(21, "guest-set-user-password", {"username": "tester", "crypted": True,
            "password": base64.encodebytes(h2.encode()).decode()}, True) == {"return": {}}
assert shadow_of("tester")[1] == h2
assert [l for l in open(SHADOW).read().splitlines() if not l.startswith("tester:")] == others
PYEOF

check "guest-set-user-password crypted: the hash is stored as given; not a crypt string, ':' or a newline refused" $PY - <<'PYEOF'
import os; exec(open(os.environ["T"] + "/qcred.py").read())
h = crypt.crypt("given", "$6$abcdefgh")
assert call("guest-set-user-password", username="tester", password=b64(h),
            crypted=True) == {"return": {}}
assert shadow_of("tester")[1] == h
y = "$y$j9T$F5Jx5fExrKuPp53xLKQ..1$X3DX6M94c7o.9agCG9G317fhZg9SqC.5i5rd.RhAtQ7"
assert call("guest-set-user-password", username="tester", password=b64(y),
            crypted=True) == {"return": {}}
assert shadow_of("tester")[1] == y
bad = err("crypted password is not a crypt(3) hash ($id$salt$hash or 13 DES characters)")
for p in ["$6$ab:c$d", "plain", "$6$a b$c", ""]:
    assert call("guest-set-user-password", username="tester", password=b64(p),
                crypted=True) == bad, p
assert call("guest-set-user-password", username="tester", password=b64("$6$a$b\n"),
            crypted=True) == err("forbidden characters in raw password")
assert shadow_of("tester")[1] == y
PYEOF

check "guest-set-user-password errors: qemu-ga 7.2's texts, shadow untouched, the agent keeps serving; $(grep -oP '#define QGA_PASSWORD_MAX \K[0-9]+' "$TOP/agent/qga/qga_creds.c") bytes at most" $PY - <<'PYEOF'
import os; exec(open(os.environ["T"] + "/qcred.py").read())
before = open(SHADOW).read()
for args, desc in [
        ({"username": "nosuch", "password": "YQ==", "crypted": False},
         "child process has failed to set user password"),
        ({"username": "tester", "password": "@@", "crypted": False},
         "Base64 data contains invalid characters"),
        ({"username": "tester", "password": "YQo=", "crypted": False},
         "forbidden characters in raw password"),
        ({"username": "a:b", "password": "YQ==", "crypted": False},
         "forbidden characters in username"),
        ({"username": "a\nb", "password": "YQ==", "crypted": False},
         "forbidden characters in username"),
        ({"username": "tester", "password": "YQ=="}, "Parameter 'crypted' is missing"),
        ({"username": "tester", "password": "YQ==", "crypted": 1},
         "Invalid parameter type for 'crypted', expected: boolean"),
        ({"username": "tester", "password": b64("x" * (PW_MAX + 1)), "crypted": False},
         "password decodes to more than %d bytes" % PW_MAX)]:
    assert call("guest-set-user-password", **args) == err(desc), (args, call("guest-set-user-password", **args))
assert open(SHADOW).read() == before
USER_MAX = header_define(SRC + "qga_ops.h", "GD_QGA_USER_MAX")
FMAX = header_define(SRC + "qga_creds.c", "QGA_PW_FILE_MAX")
assert call("guest-set-user-password", username="u" * USER_MAX, password="YQ==",
            crypted=False) == err("child process has failed to set user password")
assert call("guest-set-user-password", username="u" * (USER_MAX + 1), password="YQ==",
            crypted=False) == err("username is longer than %d bytes" % USER_MAX)
# /etc/shadow may grow to FMAX - 1 bytes, not one more; FMAX bytes are not read
h = crypt.crypt("z", "$6$0123456789abcdef")
old = [l for l in before.splitlines() if l.startswith("tester:")][0].split(":")
delta = len(h) - len(old[1]) + len(str(int(time.time()) // 86400)) - len(old[2])
def pad_to(total):   # the old shadow and one comment line: total bytes
    with open(SHADOW, "w") as f:
        f.write(before + "#" * (total - len(before) - 1) + "\n")
pad_to(FMAX - 1 - delta)
assert call("guest-set-user-password", username="tester", password=b64(h),
            crypted=True) == {"return": {}}
assert os.path.getsize(SHADOW) == FMAX - 1 and shadow_of("tester")[1] == h
pad_to(FMAX - delta)
assert call("guest-set-user-password", username="tester", password=b64(h), crypted=True) == \
    err("/etc/shadow would be over %d bytes" % (FMAX - 1))
pad_to(FMAX)
assert os.path.getsize(SHADOW) == FMAX
assert call("guest-set-user-password", username="tester", password=b64(h), crypted=True) == \
    err("/etc/shadow is over %d bytes" % (FMAX - 1))
with open(SHADOW, "w") as f:
    f.write(before)
r = call("guest-set-user-password", username="tester", password=b64("y" * PW_MAX),
         crypted=False)
assert r == {"return": {}}, r
assert crypt.crypt("y" * PW_MAX, shadow_of("tester")[1]) == shadow_of("tester")[1]
ping()
PYEOF

check "guest-ssh-*-authorized-keys: add makes ~/.ssh 0700 and the file 0600, the user's; bytes, dedupe, order and reset as qemu-ga 7.2" $PY - <<'PYEOF'
import os, shutil; exec(open(os.environ["T"] + "/qcred.py").read())
c.send(libvirt_cmd("guest-ssh-get-authorized-keys", username="tester"))
assert c.line() == (b'{"error": {"class": "GenericError", "desc": "failed to read \'%s\': '
                    b'Failed to open file \\u201C%s\\u201D: No such file or directory"}}\n'
                    % (AK.encode(), AK.encode()))
assert call("guest-ssh-add-authorized-keys", username="tester",
            keys=["k1 a", "k3 c", "k3 c"]) == {"return": {}}
assert open(AK).read() == "k1 a\nk3 c"          # qemu-ga's bytes: no final newline
st, sd = os.stat(AK), os.stat(HOME + "/.ssh")
assert (st.st_mode & 0o7777, st.st_uid, st.st_gid) == (0o600, 12345, 12346)
assert (sd.st_mode & 0o7777, sd.st_uid, sd.st_gid) == (0o700, 12345, 12346)
assert call("guest-ssh-add-authorized-keys", username="tester", keys=["k4", "k1 a"]) == {"return": {}}
assert open(AK).read() == "k1 a\nk3 c\nk4"
with open(AK, "w") as f:
    f.write("k1 a\n#c\n\n  k2 b \nk5\n")
c.send(libvirt_cmd("guest-ssh-get-authorized-keys", username="tester"))
assert c.line() == b'{"return": {"keys": ["k5", "k2 b", "k1 a"]}}\n'   # qemu-ga prepends
assert call("guest-ssh-add-authorized-keys", username="tester", keys=["k6"]) == {"return": {}}
assert open(AK).read() == "k1 a\n#c\n\n  k2 b \nk5\n\nk6"
assert call("guest-ssh-remove-authorized-keys", username="tester",
            keys=["k1 a", "k5", "zz"]) == {"return": {}}
assert open(AK).read() == "#c\n\n  k2 b \n\nk6"
st = os.stat(AK)
assert (st.st_mode & 0o7777, st.st_uid, st.st_gid) == (0o600, 12345, 12346)
assert call("guest-ssh-add-authorized-keys", username="tester", keys=["r1"],
            reset=True) == {"return": {}}
assert open(AK).read() == "r1"
assert call("guest-ssh-add-authorized-keys", username="tester", keys=[],
            reset=True) == {"return": {}}
assert open(AK).read() == ""
assert call("guest-ssh-get-authorized-keys", username="tester") == {"return": {"keys": []}}
os.unlink(AK)
assert call("guest-ssh-remove-authorized-keys", username="tester", keys=["x"]) == {"return": {}}
assert not os.path.exists(AK)                   # nothing to remove: no file made
assert [n for n in os.listdir(HOME + "/.ssh")] == []   # no temp file left
PYEOF

check "Proxmox's framing: guest-ssh-add / -get / -remove-authorized-keys and add with reset" $PY - <<'PYEOF'
import os; exec(open(os.environ["T"] + "/qcred.py").read())
def pve(id, cmd, args, first=False):   # one write, as PVE/QMPClient.pm
    c.send(proxmox_pair(id, cmd, args, args_first=first))
    sync, r = c.proxmox_read()
    assert sync == {"return": id}, (sync, r)
    return r
k1, k2, k3 = "ssh-ed25519 AAAAC3Nza pve1", "ssh-rsa AAAAB3Nza pve2", "ssh-ed25519 AAAAC3Nzb pve3"
assert pve(30, "guest-ssh-add-authorized-keys", {"username": "tester", "keys": [k1, k2]}) == {"return": {}}
assert open(AK).read() == k1 + "\n" + k2
assert pve(31, "guest-ssh-get-authorized-keys", {"username": "tester"}, True) == \
    {"return": {"keys": [k2, k1]}}
assert pve(32, "guest-ssh-remove-authorized-keys", {"username": "tester", "keys": [k1]},
           True) == {"return": {}}
assert pve(33, "guest-ssh-get-authorized-keys", {"username": "tester"}) == {"return": {"keys": [k2]}}
assert pve(34, "guest-ssh-add-authorized-keys", {"username": "tester", "keys": [k3],
                                                 "reset": True}, True) == {"return": {}}
assert open(AK).read() == k3
st = os.stat(AK)
assert (st.st_mode & 0o7777, st.st_uid, st.st_gid) == (0o600, 12345, 12346)
os.unlink(AK)
PYEOF

check "guest-ssh-* errors: bad keys, unknown users, a symlinked ~/.ssh, a missing home; limits $(grep -oP '#define QGA_SSH_KEY_MAX \K[0-9]+' "$TOP/agent/qga/qga_ssh.c") bytes a key, $(grep -oP '#define QGA_SSH_KEYS_MAX \K[0-9]+' "$TOP/agent/qga/qga_ssh.c") keys, file under $(grep -oP '#define QGA_SSH_FILE_MAX \K[0-9]+' "$TOP/agent/qga/qga_ssh.c") bytes" $PY - <<'PYEOF'
import os, shutil; exec(open(os.environ["T"] + "/qcred.py").read())
c.send(libvirt_cmd("guest-ssh-add-authorized-keys", username="nosuch", keys=["a\nb"]))
assert c.line() == b'{"error": {"class": "GenericError", "desc": "invalid OpenSSH public key: \'a\\nb\'"}}\n'
for cmd in ["guest-ssh-add-authorized-keys", "guest-ssh-remove-authorized-keys"]:
    assert call(cmd, username="tester", keys=["#x"]) == err("invalid OpenSSH public key: '#x'")
    assert call(cmd, username="nosuch", keys=["k"]) == \
        err("failed to lookup user 'nosuch': Success")
    assert call(cmd, username="tester") == err("Parameter 'keys' is missing")
    assert call(cmd, username="tester", keys="k") == \
        err("Invalid parameter type for 'keys', expected: array")
assert call("guest-ssh-get-authorized-keys", username="nosuch") == \
    err("failed to lookup user 'nosuch': Success")
assert call("guest-ssh-add-authorized-keys", username="nohome", keys=["k"]) == \
    err("failed to create directory '%s/home/absent/deeper/.ssh': No such file or directory" % NS)
# limits: a key of KEY_MAX bytes, KEYS_MAX keys; one more of each refused
k = "ssh-ed25519 " + "A" * (KEY_MAX - 12)
assert call("guest-ssh-add-authorized-keys", username="tester", keys=[k], reset=True) == {"return": {}}
assert open(AK).read() == k
assert call("guest-ssh-add-authorized-keys", username="tester", keys=[k + "A"]) == \
    err("key 0 is longer than %d bytes" % KEY_MAX)
ks = ["k%d" % i for i in range(KEYS_MAX)]
assert call("guest-ssh-add-authorized-keys", username="tester", keys=ks, reset=True) == {"return": {}}
assert call("guest-ssh-get-authorized-keys", username="tester")["return"]["keys"] == ks[::-1]
assert call("guest-ssh-add-authorized-keys", username="tester", keys=ks + ["x"]) == \
    err("more than %d keys" % KEYS_MAX)
# the file: FILE_MAX - 1 bytes are read; a result over it or a file of FILE_MAX refused
with open(AK, "w") as f:
    f.write("#" * (FILE_MAX - 3) + "\nk")
assert call("guest-ssh-add-authorized-keys", username="tester", keys=["k"]) == {"return": {}}
assert call("guest-ssh-add-authorized-keys", username="tester", keys=["z"]) == \
    err("%s would be over %d bytes" % (AK, FILE_MAX - 1))
with open(AK, "a") as f:
    f.write("z")
assert os.path.getsize(AK) == FILE_MAX
for cmd in ["guest-ssh-get-authorized-keys", "guest-ssh-add-authorized-keys",
            "guest-ssh-remove-authorized-keys"]:
    args = {"username": "tester"} if "get" in cmd else {"username": "tester", "keys": ["k"]}
    assert call(cmd, **args) == err("%s is over %d bytes" % (AK, FILE_MAX - 1)), cmd
# ~/.ssh a symlink to somewhere else: refused, nothing written there
shutil.rmtree(HOME + "/.ssh"); os.mkdir(NS + "/elsewhere")
os.symlink(NS + "/elsewhere", HOME + "/.ssh")
assert call("guest-ssh-add-authorized-keys", username="tester", keys=["k"]) == \
    err("'%s/.ssh' is not a directory" % HOME)
assert os.listdir(NS + "/elsewhere") == []
os.unlink(HOME + "/.ssh")
ping()
PYEOF

check "guest-suspend-ram/-disk/-hybrid: answered by silence, the child writes the fake /sys/power (state, and disk for hybrid); the agent keeps serving" $PY - <<'PYEOF'
import os; exec(open(os.environ["T"] + "/qcred.py").read())
P = NS + "/power/"
def wait_for(path, want):
    for _ in range(200):
        if open(path).read() == want:
            return True
        time.sleep(0.01)
    return False
for cmd, state, disk in [("guest-suspend-ram", "mem", None),
                         ("guest-suspend-disk", "disk", None),
                         ("guest-suspend-hybrid", "disk", "suspend")]:
    open(P + "state", "w").write("freeze mem disk\n")
    open(P + "disk", "w").write("[platform] shutdown reboot suspend test_resume\n")
    c.send(libvirt_cmd(cmd))
    assert c.nothing_within(0.3), cmd
    assert wait_for(P + "state", state), (cmd, open(P + "state").read())
    if disk:
        assert open(P + "disk").read() == disk
    ping()
open(P + "state", "w").write("freeze\n")
for cmd in ["guest-suspend-ram", "guest-suspend-disk", "guest-suspend-hybrid"]:
    assert call(cmd) == err("the requested suspend mode is not supported by the guest")
open(P + "state", "w").write("freeze mem disk\n")
open(P + "disk", "w").write("[platform] shutdown reboot\n")
assert call("guest-suspend-hybrid") == err("the requested suspend mode is not supported by the guest")
assert open(P + "state").read() == "freeze mem disk\n"
r = call("guest-info")["return"]["supported_commands"]
sus = [(e["name"], e["success-response"], e["enabled"]) for e in r if "suspend" in e["name"]]
assert sus == [("guest-suspend-hybrid", False, True), ("guest-suspend-ram", False, True),
               ("guest-suspend-disk", False, True)], sus
PYEOF

check "guest-set-memory-blocks: state written only when it differs; qemu-ga's response/error-code/phys-index per block" $PY - <<'PYEOF'
import os; exec(open(os.environ["T"] + "/qcred.py").read())
M = NS + "/memory/"
c.send(libvirt_cmd("guest-set-memory-blocks", **{"mem-blks": [
    {"phys-index": 0, "online": False}, {"phys-index": 1, "online": True},
    {"phys-index": 2, "online": False}, {"phys-index": 2, "online": True},
    {"phys-index": 9, "online": True, "can-offline": True}]}))
assert c.line() == (b'{"return": [{"response": "success", "phys-index": 0}, '
                    b'{"response": "success", "phys-index": 1}, '
                    b'{"response": "operation-not-supported", "error-code": 2, "phys-index": 2}, '
                    b'{"response": "success", "phys-index": 2}, '
                    b'{"response": "not-found", "error-code": 2, "phys-index": 9}]}\n'), c.buf
assert open(M + "memory0/state").read() == "offline"
assert open(M + "memory1/state").read() == "online"
os.utime(M + "memory1/state", (0, 0))
assert call("guest-set-memory-blocks", **{"mem-blks": [{"phys-index": 1, "online": True}]}) == \
    {"return": [{"response": "success", "phys-index": 1}]}
assert os.stat(M + "memory1/state").st_mtime == 0          # not written again
assert call("guest-set-memory-blocks", **{"mem-blks": []}) == {"return": []}
for args, desc in [({}, "Parameter 'mem-blks' is missing"),
                   ({"mem-blks": [{"online": True}]}, "Parameter 'mem-blks[0].phys-index' is missing"),
                   ({"mem-blks": [{"phys-index": 0, "online": 1}]},
                    "Invalid parameter type for 'mem-blks[0].online', expected: boolean")]:
    assert call("guest-set-memory-blocks", **args) == err(desc), (args, call("guest-set-memory-blocks", **args))
ping()
PYEOF

# --- 5. qga-allow-rpcs / qga-block-rpcs
start_rpcs_agent() {
	"$GUESTD" --no-vsock --local-sock "" --config /nonexistent --cmdline /nonexistent \
		--qga-unix "$1" "${@:2}" >>"$T/agent.log" 2>&1 &
	_pids+=($!)
	wait_for_socket "$1"
}
BQ=$T/block.sock; AQ=$T/allow.sock
start_rpcs_agent "$BQ" --qga-block-rpcs guest-get-time,guest-exec --qga-block-rpcs guest-file-open ||
	not_ok "agent with --qga-block-rpcs starts"
start_rpcs_agent "$AQ" --qga-allow-rpcs=guest-ping,guest-info,guest-sync-delimited \
	--qga-block-rpcs guest-info || not_ok "agent with --qga-allow-rpcs starts"
export BQ AQ
check "qga-block-rpcs: listed commands answer qemu-ga 7.2's -b bytes (CommandNotFound, disabled), guest-info enabled:false" $PY - <<'PYEOF'
import os, json
from qga import *
c = Client(os.environ["BQ"])
for name in ["guest-get-time", "guest-exec", "guest-file-open"]:
    c.send(libvirt_cmd(name))
    assert c.line() == (b'{"error": {"class": "CommandNotFound", "desc": "Command %s has '
                        b'been disabled"}}\n' % name.encode()), name
c.send(b'{"execute": "guest-get-time", "id": 7}\n')
assert c.line() == (b'{"id": 7, "error": {"class": "CommandNotFound", "desc": '
                    b'"Command guest-get-time has been disabled"}}\n')
c.send(libvirt_cmd("guest-ping")); assert c.line() == b'{"return": {}}\n'
c.send(libvirt_cmd("guest-info"))
en = {e["name"]: e["enabled"] for e in json.loads(c.line())["return"]["supported_commands"]}
assert [n for n, v in en.items() if not v] == ["guest-exec", "guest-file-open", "guest-get-time"], en
PYEOF
check "qga-allow-rpcs: only the listed commands are served (less the blocked ones); the others answer as disabled" $PY - <<'PYEOF'
import os, json
from qga import *
c = Client(os.environ["AQ"])
c.send(proxmox_pair(3, "guest-ping"))
assert c.proxmox_read() == ({"return": 3}, {"return": {}})
for name in ["guest-info", "guest-get-time", "guest-sync", "guest-set-user-password"]:
    c.send(libvirt_cmd(name))
    assert c.line() == (b'{"error": {"class": "CommandNotFound", "desc": "Command %s has '
                        b'been disabled"}}\n' % name.encode()), name
c.send(libvirt_cmd("guest-nope"))
assert c.line() == (b'{"error": {"class": "CommandNotFound", "desc": "The command '
                    b'guest-nope has not been found"}}\n')
PYEOF
done_testing
