#!/bin/bash
# QEMU guest agent protocol on --qga-unix: the byte sequences libvirt and
# Proxmox send, 0xFF-first clients, every command field by field, and bad
# input of every kind answered in qemu-ga's error shape (the expected bytes
# were captured from Debian's qemu-ga 7.2) while the agent keeps serving.
#
# This machine's clock must never be set: every agent here runs without
# CAP_SYS_TIME (root drops it from the bounding set), checked in /proc
# before any guest-set-time is sent. Real setting: tests/e2e/test_qga.sh.
# Nor may it be shut down: guest-shutdown goes only to agents with a
# --shutdown-cmd (a script that records the mode) or to guestd as PID 1 of
# a PID namespace, where reboot(2) ends the namespace.
source "$(dirname "$0")/../lib/lib.sh"
PY="python3 -B"
export PYTHONPATH=$TOP/tests/lib
CAP_SYS_TIME=25
NOCAP=()
[ "$(id -u)" != 0 ] || NOCAP=(setpriv --bounding-set -sys_time --inh-caps -sys_time --)

# has_cap PID SET(CapEff|CapBnd|CapPrm) BIT
has_cap() {
	local hex
	hex=$(awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status")
	[ -n "$hex" ] && (( (16#$hex >> $3) & 1 ))
}

Q=$T/qga.sock S=$T/native.sock
"${NOCAP[@]}" "$GUESTD" --no-vsock --local-sock "" --config /nonexistent --cmdline /nonexistent \
	--unix "$S" --qga-unix "$Q" >>"$T/agent.log" 2>&1 &
AGENT_PID=$!; _pids+=($AGENT_PID)
wait_for_socket "$S" && wait_for_socket "$Q" || not_ok "agent starts"
nocap=1
for set in CapEff CapPrm CapBnd; do
	if has_cap "$AGENT_PID" $set $CAP_SYS_TIME; then nocap=0; fi
done
check_eq "agent runs without CAP_SYS_TIME (guest-set-time cannot touch this clock)" 1 $nocap
export Q S GD_VERSION=$("$GUESTD" --version | awk '{print $2}')
check_eq "qga socket is mode 0600" "600" "$(stat -c %a "$Q")"
"$GUESTCTL" --unix "$S" ping >/dev/null; check_eq "native protocol still served next to QGA" 0 $?

check "libvirt: guest-sync before every command, answers field by field" $PY - <<'PYEOF'
import json, os, socket, time
from qga import *
c = Client(os.environ["Q"])
sync = lambda: c.call(libvirt_sync(1795331086713)) == {"return": 1795331086713}
# the bytes of a sync answer, exactly as qemu-ga writes them
c.send(libvirt_sync(42)); assert c.line() == b'{"return": 42}\n'
assert sync()
r = c.call(libvirt_cmd("guest-ping")); assert r == {"return": {}}, r
assert sync()
info = c.call(libvirt_cmd("guest-info"))["return"]
assert info["version"] == os.environ["GD_VERSION"], info
want = [("guest-get-osinfo", True, True), ("guest-get-timezone", True, True),
        ("guest-get-host-name", True, True),
        ("guest-network-get-interfaces", True, True),
        ("guest-fsfreeze-status", True, True), ("guest-shutdown", True, False),
        ("guest-info", True, True), ("guest-set-time", True, True),
        ("guest-get-time", True, True), ("guest-ping", True, True),
        ("guest-sync", True, True), ("guest-sync-delimited", True, True)]
got = [(e["name"], e["enabled"], e["success-response"])
       for e in info["supported_commands"]]
# these in this order; the commands of other tests (test_qga_fs.sh...) between
assert [g for g in got if g[0] in dict((w[0], 1) for w in want)] == want, got
assert all(list(e) == ["enabled", "name", "success-response"]
           for e in info["supported_commands"])
assert sync()
before = time.time_ns()
t = c.call(libvirt_cmd("guest-get-time"))["return"]
assert isinstance(t, int) and before - 10**9 < t < time.time_ns() + 10**9, t
assert sync()
r = c.call(libvirt_cmd("guest-get-host-name"))
assert r == {"return": {"host-name": os.uname().nodename}}, r
assert sync()
os_rel = {}
for p in ("/etc/os-release", "/usr/lib/os-release"):
    if os.path.exists(p):
        for l in open(p):
            k, _, v = l.strip().partition("=")
            if k:
                os_rel.setdefault(k, v.strip('"\''))
        break
u = os.uname()
want = {"kernel-release": u.release, "kernel-version": u.version,
        "machine": u.machine}
for k, m in [("ID", "id"), ("NAME", "name"), ("PRETTY_NAME", "pretty-name"),
             ("VERSION", "version"), ("VERSION_ID", "version-id"),
             ("VARIANT", "variant"), ("VARIANT_ID", "variant-id")]:
    if k in os_rel:
        want[m] = os_rel[k]
r = c.call(libvirt_cmd("guest-get-osinfo"))["return"]
assert r == want, (r, want)
assert sync()
lt = time.localtime()
r = c.call(libvirt_cmd("guest-get-timezone"))
assert r == {"return": {"zone": lt.tm_zone, "offset": lt.tm_gmtoff}}, r
assert sync()
c.send(libvirt_cmd("guest-fsfreeze-status"))
assert c.line() == b'{"return": "thawed"}\n'
PYEOF

# QGA_OS_RELEASE points qemu-ga at another os-release: the answer to this
# file is qemu-ga 7.2's, byte for byte, with this kernel's uname in it.
cat >"$T/os-release" <<'EOF'
NAME="Test OS"
ID=testos
PRETTY_NAME="Test OS 1.0 (Variant)"
VERSION="1.0 (Variant)"
VERSION_ID=1.0
VARIANT="Server Edition"
VARIANT_ID=server
EOF
QGA_OS_RELEASE=$T/os-release "${NOCAP[@]}" "$GUESTD" --no-vsock --local-sock "" --config /nonexistent --cmdline /nonexistent \
	--qga-unix "$T/os.sock" >"$T/os.log" 2>&1 & _pids+=($!)
wait_for_socket "$T/os.sock"
check "guest-get-osinfo: every os-release field, in qemu-ga's order and bytes" $PY - "$T/os.sock" <<'PYEOF'
import json, os, sys
from qga import *
u = os.uname()
want = ('{"return": {"name": "Test OS", "kernel-release": %s, "version": "1.0 (Variant)", '
        '"variant": "Server Edition", "pretty-name": "Test OS 1.0 (Variant)", '
        '"version-id": "1.0", "variant-id": "server", "kernel-version": %s, '
        '"machine": %s, "id": "testos"}}\n' % (json.dumps(u.release), json.dumps(u.version),
                                             json.dumps(u.machine))).encode()
c = Client(sys.argv[1])
c.send(libvirt_cmd("guest-get-osinfo"))
got = c.line()
assert got == want, (got, want)
PYEOF

check "libvirt: interfaces, field by field against ip(8) and /proc/net/dev" $PY - <<'PYEOF'
import json, os, subprocess
from qga import *
def netdev():
    out = {}
    for line in open("/proc/net/dev").read().splitlines()[2:]:
        name, _, rest = line.partition(":")
        out[name.strip()] = [int(x) for x in rest.split()]
    return out
c = Client(os.environ["Q"])
assert c.call(libvirt_sync(3)) == {"return": 3}
before = netdev()
got = c.call(libvirt_cmd("guest-network-get-interfaces"))["return"]
after = netdev()
ip = {l["ifname"]: l for l in json.loads(subprocess.check_output(["ip", "-j", "addr"]))}
assert [i["name"] for i in got] == list(before), (got, before)
for i in got:
    want = [{"ip-address-type": "ipv4" if a["family"] == "inet" else "ipv6",
             "ip-address": a["local"], "prefix": a["prefixlen"]}
            for a in ip[i["name"]].get("addr_info", [])]
    assert i.get("ip-addresses", []) == want, (i, want)
    assert ("statistics" in i) == bool(want), i
    if "statistics" in i:
        s, lo, hi = i["statistics"], before[i["name"]], after[i["name"]]
        for k, f in [("rx-bytes", 0), ("rx-packets", 1), ("rx-errs", 2), ("rx-dropped", 3),
                     ("tx-bytes", 8), ("tx-packets", 9), ("tx-errs", 10), ("tx-dropped", 11)]:
            assert lo[f] <= s[k] <= hi[f], (i["name"], k, s[k], lo[f], hi[f])
        assert list(s) == ["tx-packets", "tx-errs", "rx-bytes", "rx-dropped",
                           "rx-packets", "rx-errs", "tx-bytes", "tx-dropped"]
    mac = ip[i["name"]].get("address")
    if mac and len(mac) == 17:
        assert i["hardware-address"] == mac, (i, mac)
    assert list(i)[0] == "name" and list(i)[-1] in ("hardware-address", "statistics", "name")
PYEOF

# Many interfaces (bridges: this kernel may lack dummy) in a network
# namespace of our own: 20 fit in one
# response; 80 do not (GD_QGA_RESP_MAX); 130 have more addresses than
# guestd lists (QGA_NET_ADDRS). Each refusal is one error; the agent goes on.
netns_agent() { # N SOCK: guestd in a new netns with N interfaces
	unshare --net bash -c '
		for i in $(seq 1 $1); do
			echo "link add d$i type bridge"
			echo "link set d$i up"
			echo "addr add 10.$((i / 200)).$((i % 200)).1/24 dev d$i"
			echo "addr add fd00::$i/64 dev d$i nodad"
		done | ip -batch - && ip link set lo up &&
		exec setpriv --bounding-set -sys_time --inh-caps -sys_time -- \
			"$GUESTD" --no-vsock --local-sock "" --config /nonexistent --cmdline /nonexistent --qga-unix "$2"
	' netns "$1" "$2" >>"$T/netns.log" 2>&1 &
	_pids+=($!)
	wait_for_socket "$2" 30
}
if unshare --net true 2>/dev/null; then
	netns_agent 20 "$T/ns20.sock"; netns_agent 80 "$T/ns80.sock"; netns_agent 130 "$T/ns130.sock"
	check "interfaces: 20 in one response, 80 over the response limit, 130 over the address limit" $PY - "$T" <<'PYEOF'
import sys
from qga import *
T = sys.argv[1]
def ask(sock):
    c = Client(sock)
    r = c.call(libvirt_cmd("guest-network-get-interfaces"))
    assert c.call(libvirt_cmd("guest-ping")) == {"return": {}}
    return r
r = ask(T + "/ns20.sock")["return"]
assert [i["name"] for i in r] == ["lo"] + ["d%d" % i for i in range(1, 21)], r
assert all(len(i["ip-addresses"]) >= 2 for i in r[1:]), r
assert ask(T + "/ns80.sock") == {"error": {"class": "GenericError", "desc": "response over the size limit"}}
r = ask(T + "/ns130.sock")
assert r == {"error": {"class": "GenericError", "desc": "more than 256 addresses to list"}}, r
PYEOF
else
	ok "# SKIP no network namespaces here"
fi

# guest-shutdown, delegated to a --shutdown-cmd: no answer, the mode run.
cat >"$T/sdcmd.sh" <<EOF
#!/bin/sh
echo "\$@" >>"$T/sdcmd.out"
EOF
chmod +x "$T/sdcmd.sh"
for n in 1 2; do
	"${NOCAP[@]}" "$GUESTD" --no-vsock --local-sock "" --config /nonexistent --cmdline /nonexistent \
		--shutdown-cmd "$T/sdcmd.sh" --qga-unix "$T/sd$n.sock" >>"$T/sd.log" 2>&1 &
	_pids+=($!)
	wait_for_socket "$T/sd$n.sock"
done
export T
check "libvirt guest-shutdown: bad modes refused, then silence and the mode run" $PY - <<'PYEOF'
import os, time
from qga import *
T = os.environ["T"]
c = Client(T + "/sd1.sock")
E = lambda d: {"error": {"class": "GenericError", "desc": d}}
assert c.call(libvirt_cmd("guest-shutdown", mode="off")) == \
    E("mode is invalid (valid values are: halt|powerdown|reboot")
assert c.call(libvirt_cmd("guest-shutdown", mode=5)) == \
    E("Invalid parameter type for 'mode', expected: string")
assert c.call(libvirt_cmd("guest-shutdown", mode="reboot", force=True)) == \
    E("Parameter 'force' is unexpected")
assert not os.path.exists(T + "/sdcmd.out")
assert c.call(libvirt_sync(9)) == {"return": 9}
c.send(libvirt_cmd("guest-shutdown", mode="reboot"))
assert c.nothing_within(1.5), c.buf  # success has no answer
for _ in range(50):
    if os.path.exists(T + "/sdcmd.out"):
        break
    time.sleep(0.1)
assert open(T + "/sdcmd.out").read() == "reboot\n"
assert c.call(libvirt_sync(10)) == {"return": 10}  # not PID 1: still serving
PYEOF
check "Proxmox guest-shutdown: the sync answer, then nothing; default mode powers off" $PY - <<'PYEOF'
import os, time
from qga import *
T = os.environ["T"]
os.unlink(T + "/sdcmd.out")
c = Client(T + "/sd2.sock")
c.send(proxmox_pair(777, "guest-shutdown"))
c.after_sentinel()
assert c.line() == b'{"return": 777}\n'
assert c.nothing_within(1.5), c.buf
for _ in range(50):
    if os.path.exists(T + "/sdcmd.out"):
        break
    time.sleep(0.1)
assert open(T + "/sdcmd.out").read() == "poweroff\n"
PYEOF

# guestd as PID 1 of a PID namespace: guest-shutdown ends the namespace the
# way reboot(2) does there (SIGINT for power off and halt, SIGHUP restart).
source "$TOP/tests/lib/pidns.sh"
if pidns_usable; then
	for m in powerdown:INT reboot:HUP halt:INT; do
		mode=${m%%:*} sig=${m#*:}
		ns_start "qga$mode" -- --qga-unix "$T/qga$mode.qga" || not_ok "namespace guestd starts"
		wait_for_socket "$T/qga$mode.qga"
		$PY - "$T/qga$mode.qga" "$mode" <<'PYEOF' &
import sys
from qga import *
c = Client(sys.argv[1])
assert c.call(libvirt_sync(5)) == {"return": 5}
c.send(libvirt_cmd("guest-shutdown", mode=sys.argv[2]))
try:
    print("answered: %r" % c.line())
except (EOFError, OSError):
    pass  # the agent went down without a word, as it should
PYEOF
		wait $!
		check_eq "PID 1 guest-shutdown mode=$mode: the namespace ends (SIG$sig)" "signal $sig" "$(ns_end "qga$mode")"
	done
else
	ok "# SKIP no PID namespaces here"
fi

if [ $nocap = 1 ]; then
	export HAVE_RTC=$([ -e /dev/rtc0 ] && echo 1 || echo 0)
	check "guest-set-time: validated, then refused by the kernel here (no CAP_SYS_TIME)" $PY - <<'PYEOF'
import os, time
from qga import *
c = Client(os.environ["Q"])
E = lambda d: {"error": {"class": "GenericError", "desc": d}}
assert c.call(libvirt_sync(8)) == {"return": 8}
assert c.call(libvirt_cmd("guest-set-time", time=time.time_ns())) == \
    E("Failed to set time to guest: Operation not permitted")
for bad in (-1, 3155760000 * 10**9, 2**63 - 1):
    assert c.call(libvirt_cmd("guest-set-time", time=bad)) == E("Invalid time"), bad
assert c.call(libvirt_cmd("guest-set-time", time="x")) == \
    E("Invalid parameter type for 'time', expected: integer")
r = c.call(libvirt_cmd("guest-set-time"))
if os.environ["HAVE_RTC"] == "1":  # the RTC is read, then the step is refused
    assert r == E("Failed to set time to guest: Operation not permitted"), r
else:
    assert r == E("this feature or command is not currently supported"), r
PYEOF
else
	not_ok "guest-set-time checks skipped: the agent kept CAP_SYS_TIME"
fi

check "Proxmox: guest-sync-delimited and the command in one write" $PY - <<'PYEOF'
import os
from qga import *
c = Client(os.environ["Q"])
for n, (name, first) in enumerate([("guest-ping", False), ("guest-ping", True),
                                   ("guest-fsfreeze-status", True),
                                   ("guest-get-osinfo", False),
                                   ("guest-info", True),
                                   ("guest-network-get-interfaces", False)]):
    id = int("%d0%d" % (os.getpid(), n + 1))  # "$$"."0".$seq
    c.send(proxmox_pair(id, name, args_first=first))
    sync, reply = c.proxmox_read()
    assert sync == {"return": id}, sync
    if name == "guest-ping":
        assert reply == {"return": {}}, reply
    elif name == "guest-fsfreeze-status":
        assert reply == {"return": "thawed"}, reply
    elif name == "guest-network-get-interfaces":
        assert reply["return"][0]["name"], reply
    else:
        assert "return" in reply, reply
PYEOF

check "0xFF-first clients: discard through the 0xFF, then the answer" $PY - <<'PYEOF'
import os
from qga import *
c = Client(os.environ["Q"])
stray = b'{"error": {"class": "GenericError", "desc": "JSON parse error, stray \'\\uFFFD\'"}}\n'
c.send(b'\xff{"execute":"guest-sync-delimited","arguments":{"id":77}}')
assert c.after_sentinel() == stray            # qemu-ga's error for the 0xFF itself
assert c.line() == b'{"return": 77}\n'
# a previous client's half request is dropped by the 0xFF
c.send(b'{"execute":"guest-pi')
c.send(b'\xff{"execute":"guest-sync-delimited","arguments":{"id":78}}\n')
c.after_sentinel()
assert c.line() == b'{"return": 78}\n'
c.send(b'{"execute":"guest-ping"}'); assert c.line() == b'{"return": {}}\n'
# plain guest-sync after a 0xFF: skip lines until the id comes back
c.send(b'{"exec\xff{"execute":"guest-sync","arguments":{"id":79}}\n')
while True:
    r = json.loads(c.line())
    if r.get("return") == 79:
        break
    assert r["error"]["class"] == "GenericError", r
PYEOF

check "request split into single bytes, and many in one write" $PY - <<'PYEOF'
import os, time
from qga import *
c = Client(os.environ["Q"])
for b in b'{"execute":"guest-sync","arguments":{"id":5}}':
    c.send(bytes([b])); time.sleep(0.001)
assert c.line() == b'{"return": 5}\n'
c.send(b"".join(libvirt_sync(i) for i in range(200)))
for i in range(200):
    assert c.line() == b'{"return": %d}\n' % i
PYEOF

# qemu-ga 7.2's exact answers to bad input; after each, the same connection
# must still answer a ping.
check "bad input: qemu-ga's error bytes, and the agent keeps serving" $PY - <<'PYEOF'
import os
from qga import *
G = lambda d: b'{"error": {"class": "GenericError", "desc": "' + d + b'"}}\n'
cases = [
    (b'{"execute":"nope"}', b'{"error": {"class": "CommandNotFound", "desc": "The command nope has not been found"}}\n'),
    (b'{"execute":"nope","id":"abc"}', b'{"id": "abc", "error": {"class": "CommandNotFound", "desc": "The command nope has not been found"}}\n'),
    (b'{"execute":"guest-ping","id":{"a":[1]}}', b'{"return": {}, "id": {"a": [1]}}\n'),
    (b'{"execute":"guest-sync-delimited","arguments":{"id":5},"id":9}', b'\xff{"return": 5, "id": 9}\n'),
    (b'xyz', G(b"JSON parse error, invalid keyword 'xyz'")),
    (b'[1,2]', G(b"QMP input must be a JSON object")),
    (b'"str"', G(b"QMP input must be a JSON object")),
    (b'42 ', G(b"QMP input must be a JSON object")),
    (b'{}', G(b"QMP input lacks member 'execute'")),
    (b'{"foo":1}', G(b"QMP input member 'foo' is unexpected")),
    (b'{"foo":1,"id":3}', b'{"id": 3, "error": {"class": "GenericError", "desc": "QMP input member \'foo\' is unexpected"}}\n'),
    (b'{"execute":1}', G(b"QMP input member 'execute' must be a string")),
    (b'{"execute":"guest-ping","arguments":[]}', G(b"QMP input member 'arguments' must be an object")),
    (b'{"execute":"guest-ping","arguments":{"x":1}}', G(b"Parameter 'x' is unexpected")),
    (b'{"execute":"guest-sync"}', G(b"Parameter 'id' is missing")),
    (b'{"execute":"guest-sync","arguments":{"id":"a"}}', G(b"Invalid parameter type for 'id', expected: integer")),
    (b'{"execute":"guest-sync","arguments":{"id":1.5}}', G(b"Invalid parameter type for 'id', expected: integer")),
    (b'{"execute":"guest-sync","arguments":{"id":99999999999999999999999}}', G(b"Invalid parameter type for 'id', expected: integer")),
    (b'{"execute":"guest-sync","arguments":{"id":9223372036854775808}}', G(b"Invalid parameter type for 'id', expected: integer")),
    (b'{"execute":"guest-sync","arguments":{"id":-9223372036854775808}}', b'{"return": -9223372036854775808}\n'),
    (b'{"execute":"guest-sync","arguments":{"id":' + b'9' * 400 + b'}}', G(b"Invalid parameter type for 'id', expected: integer")),
    (b'{"execute":"guest-ping",}', G(b"JSON parse error, expecting value")),
    (b'{"execute":"guest-ping" "x":1}', G(b"JSON parse error, expected separator in dict")),
    (b'{"execute" "guest-ping"}', G(b"JSON parse error, missing : in object pair")),
    (b'{"execute":"gu\x01est"}', G(b"JSON parse error, stray '\\\"gu\\u0001'")),
    (b'{"execute":"g\\qx"}', G(b"JSON parse error, invalid escape sequence in string")),
    (b'{"execute":"guest-ping","arguments":{"a":tru}}', G(b"JSON parse error, invalid keyword 'tru'")),
    (b'{"execute":"guest-ping","arguments":{"a":01}}', G(b"JSON parse error, stray '01'")),
    (b'{"execute":"guest-ping","execute":"nope"}', G(b"JSON parse error, duplicate key")),
    (b'{"execute":"guest-ping"]', G(b"JSON parse error, expected separator in dict")),
    (b'[1 2]', G(b"JSON parse error, expected separator in list")),
    (b'{1:2}', G(b"JSON parse error, key is not a string in object")),
    (b'{"a":"\\u12x4"}', G(b"JSON parse error, \\\\u12x4 is not a valid Unicode character")),
    (b'["\xc3x"]', G(b"JSON parse error, invalid UTF-8 sequence in string")),
    (b'[-]', G(b"JSON parse error, stray '-]'")),
    (b'@', G(b"JSON parse error, stray '@'")),
    (b'}', G(b"JSON parse error, expecting value")),
    (b'\x00 ', G(b"JSON parse error, stray ''")),
    (b'{"execute":"guest-ping\x00"}', G(b"JSON parse error, stray '\\\"guest-ping'")),
    (b'\xff\xff', G(b"JSON parse error, stray '\\uFFFD'") * 2),
    (b'{"execute":"gu\\u0000est"}', b'{"error": {"class": "CommandNotFound", "desc": "The command gu\\u0000est has not been found"}}\n'),
    (b'{"execute":"guest-ping","id":"\xc3\xa9\x7f"}', b'{"return": {}, "id": "\\u00E9\\u007F"}\n'),
]
c = Client(os.environ["Q"])
for n, (sent, want) in enumerate(cases):
    # a bare scalar ends only where the next token starts: send the ping too
    c.send(sent + b'\n{"execute":"guest-ping"}')
    got = b""
    while len(got) < len(want):
        got += c.line()
    assert got == want, (n, sent, got, want)
    assert c.line() == b'{"return": {}}\n', (n, sent)
PYEOF

JF=$TOP/libmini/jsonframe.h
export TEXT_MAX=$(grep -oP '#define GD_JF_TEXT_MAX \K[0-9]+' "$JF")
export MAX_DEPTH=$(grep -oP '#define GD_JF_MAX_DEPTH \K[0-9]+' "$JF")
export MAX_TOKENS=$(grep -oP '#define GD_QGA_MAX_TOKENS \K[0-9]+' "$TOP/libmini/qga_req.h")
check "limits: text size $TEXT_MAX, depth $MAX_DEPTH, tokens $MAX_TOKENS; at the limit served, one past refused" $PY - <<'PYEOF'
import os
from qga import *
E = lambda d: b'{"error": {"class": "GenericError", "desc": "' + d + b'"}}\n'
text_max, depth, tokens = (int(os.environ[k]) for k in ("TEXT_MAX", "MAX_DEPTH", "MAX_TOKENS"))
c = Client(os.environ["Q"])
def ping_ok():
    c.send(b'{"execute":"guest-ping"}'); assert c.line() == b'{"return": {}}\n'
# size: a request of exactly text_max bytes (whitespace inside it: an echoed
# id that long would not fit one response line), then one byte more
head, tail = b'{"execute":"guest-ping","id":"', b'"}'
at = b'{"execute":"guest-ping",' + b" " * (text_max - 31) + b'"id":7}'
assert len(at) == text_max
r = c.call(at); assert r == {"return": {}, "id": 7}, r
over = head + b"x" * (text_max + 1 - len(head) - len(tail)) + tail
c.send(over); assert c.line() == E(b"JSON token size limit exceeded"); ping_ok()
# a huge text (four times the limit) is skipped to its end
c.send(head + b"y" * (4 * text_max) + tail)
assert c.line() == E(b"JSON token size limit exceeded"); ping_ok()
# depth: the request object is level one
nest = lambda d: b'{"execute":"guest-ping","id":' + b"[" * (d - 1) + b"]" * (d - 1) + b"}"
r = c.call(nest(depth)); assert r["return"] == {}, r
c.send(nest(depth + 1)); assert c.line() == E(b"JSON nesting depth limit exceeded"); ping_ok()
c.send(b"[" * 100000 + b"]" * 100000)
assert c.line() == E(b"JSON nesting depth limit exceeded"); ping_ok()
# tokens: object, execute, its value, id, its array = 5, plus one per element
toks = lambda n: (b'{"execute":"guest-ping","id":[' + b",".join([b"1"] * (n - 5)) + b"]}")
r = c.call(toks(tokens)); assert r["return"] == {} and len(r["id"]) == tokens - 5
c.send(toks(tokens + 1)); assert c.line() == E(b"JSON token count limit exceeded"); ping_ok()
PYEOF

check "clients that vanish mid-request, and 20 at once" $PY - <<'PYEOF'
import os
from qga import *
for i in range(10):
    c = Client(os.environ["Q"]); c.send(b'{"execute":"guest-sync","argu'); c.close()
cs = [Client(os.environ["Q"]) for _ in range(20)]
for n, c in enumerate(cs):
    c.send(b"".join(libvirt_sync(n * 100 + i) for i in range(10)))
for n, c in enumerate(cs):
    for i in range(10):
        assert c.line() == b'{"return": %d}\n' % (n * 100 + i)
PYEOF
# Root may take every slot but the serial ports' (libmini/slots.h); clients
# that have had an answer are never evicted for another root client.
MAX_CONNS=$(grep -oP '#define GD_MAX_CONNS \K[0-9]+' "$TOP/agent/core/agent.h")
SERIAL_SLOTS=$(grep -oP '#define GD_SLOTS_SERIAL \K[0-9]+' "$TOP/libmini/slots.h")
export ROOT_SLOTS=$((MAX_CONNS - SERIAL_SLOTS))
check "all $ROOT_SLOTS slots root may hold taken: the next QGA client gets the notice in QGA's shape" $PY - <<'PYEOF'
import os
from qga import *
cs = [Client(os.environ["Q"]) for _ in range(int(os.environ["ROOT_SLOTS"]))]
for n, c in enumerate(cs):
    assert c.call(libvirt_sync(n)) == {"return": n}
extra = Client(os.environ["Q"])
assert extra.line() == b'{"error": {"class": "GenericError", "desc": "all connection slots in use"}}\n'
for c in cs:
    c.close()
PYEOF
kill -0 "$AGENT_PID" 2>/dev/null; check_eq "agent still running after all of it" 0 $?

# A serial line (a pty behind a relay standing in for QEMU's chardev socket)
# speaking QGA, next to one speaking protocol v1.
$PY "$TOP/tests/lib/serial_relay.py" "$T/qchar.sock" "$T/ttyQ" & _pids+=($!)
$PY "$TOP/tests/lib/serial_relay.py" "$T/nchar.sock" "$T/ttyN" & _pids+=($!)
wait_for_socket "$T/qchar.sock" && wait_for_socket "$T/nchar.sock"
"${NOCAP[@]}" "$GUESTD" --no-vsock --local-sock "" --config /nonexistent --cmdline /nonexistent \
	--qga-serial "$T/ttyQ" --serial "$T/ttyN" >"$T/serial.log" 2>&1 & _pids+=($!)
for _ in $(seq 50); do [ "$(grep -c 'serving on serial' "$T/serial.log")" = 2 ] && break; sleep 0.02; done
check_log "QGA served on the serial line" "serving on serial $T/ttyQ.*QEMU guest agent protocol" "$T/serial.log"
"$GUESTCTL" --unix "$T/nchar.sock" ping >/dev/null; check_eq "protocol v1 on the other serial line" 0 $?
export QCHAR=$T/qchar.sock
check "serial: libvirt's sequence, then a client after a half request resyncs with 0xFF" $PY - <<'PYEOF'
import os, time
from qga import *
c = Client(os.environ["QCHAR"])
assert c.call(libvirt_sync(11)) == {"return": 11}
assert c.call(libvirt_cmd("guest-get-host-name")) == {"return": {"host-name": os.uname().nodename}}
c.send(b'{"execute":"guest-sync","arg'); c.close()  # gone mid-request
time.sleep(0.3)  # the relay, like QEMU's chardev, takes one client at a time
c = Client(os.environ["QCHAR"])
c.send(b'\xff{"execute":"guest-sync-delimited","arguments":{"id":12}}\n')
c.after_sentinel()
assert c.line() == b'{"return": 12}\n'
c.send(proxmox_pair(13, "guest-ping"))
assert c.proxmox_read() == ({"return": 13}, {"return": {}})
PYEOF
"${NOCAP[@]}" "$GUESTD" --no-vsock --local-sock "" --config /nonexistent --cmdline /nonexistent --unix "$T/d.sock" \
	>"$T/default.log" 2>&1 & _pids+=($!)
wait_for_socket "$T/d.sock"; sleep 0.3
check_eq "the default QGA port, absent here, is looked for without a word" "" \
	"$(grep -i 'serial' "$T/default.log")"

# The same port from a config file and from the kernel command line.
printf 'qga-unix=%s\n' "$T/conf.sock" >"$T/guestd.conf"
"${NOCAP[@]}" "$GUESTD" --no-vsock --local-sock "" --config "$T/guestd.conf" --cmdline /nonexistent >"$T/conf.log" 2>&1 &
_pids+=($!)
wait_for_socket "$T/conf.sock" && check_eq "qga-unix= in the config file" '{"return": {}}' \
	"$($PY -c 'import sys; from qga import *; c = Client(sys.argv[1]); c.send(b"{\"execute\":\"guest-ping\"}"); print(c.line().decode().strip())' "$T/conf.sock")"
printf 'console=ttyS0 guestd.qga-unix=%s quiet\n' "$T/cmdline.sock" >"$T/cmdline"
"${NOCAP[@]}" "$GUESTD" --no-vsock --local-sock "" --config /nonexistent --cmdline "$T/cmdline" >"$T/cmdline.log" 2>&1 &
_pids+=($!)
check "guestd.qga-unix= on the kernel command line" wait_for_socket "$T/cmdline.sock"

check_match "--help lists the QGA flags" "--qga-unix PATH.*--qga-vsock-port N" "$("$GUESTD" --help | tr '\n' ' ')"
"$GUESTD" --qga-vsock-port 0 --no-vsock 2>/dev/null; check_eq "qga-vsock-port 0 refused: exit 2" 2 $?

port=$((20000 + RANDOM % 20000))
"${NOCAP[@]}" "$GUESTD" --no-vsock --local-sock "" --config /nonexistent --cmdline /nonexistent --qga-vsock-port $port \
	--unix "$T/v.sock" >"$T/v.log" 2>&1 &
vpid=$!; _pids+=($vpid)
wait_for_socket "$T/v.sock"
if grep -q "no AF_VSOCK" "$T/v.log"; then
	ok "# SKIP no AF_VSOCK in this kernel"
else
	check_log "QGA on vsock port $port" "vsock: QEMU guest agent protocol" "$T/v.log"
fi
kill -TERM $vpid; wait $vpid; check_eq "SIGTERM: exit 0" 0 $?
done_testing
