"""Write the fuzz seeds (OUT/<target>/seed-*) from frames built with
tests/lib/gdproto.py, tests/lib/gdauth.py and tests/lib/qga.py. The seeds are
not kept in git: make writes them into BUILD/fuzz-seeds for the replay
tests (make test, make check) and make fuzz. Deterministic: the same bytes
on every run (no clock, no randomness: fixed keys and nonces), so a replay
is the same run every time (tests/fuzz/README.md).

Usage: python3 tests/fuzz/gen_corpus.py OUT"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
from gdproto import F_EVENT, F_MAC, F_RESPONSE, MAX_PAYLOAD, OP, frame, tlv  # noqa: E402
from qga import libvirt_cmd, libvirt_sync, proxmox_pair  # noqa: E402
from gdauth import (T_AUTH_NONCE, T_AUTH_PROOF, client_proof, hello_nonce,  # noqa: E402
                    hello_proof, sealed, session_key)

KEY = bytes(range(32))              # the request fuzzer's key
CN = bytes(range(0x20, 0x40))
SN = bytes(range(0x40, 0x60))       # the request fuzzer's agent nonce
KS = session_key(KEY, CN, SN)
V1 = tlv(2, struct.pack("<H", 1))

frames = {
    "ping": frame(OP["ping"]),
    "info": frame(OP["info"], id=2),
    "hello": frame(OP["hello"], V1),
    "hello-old": frame(OP["hello"], tlv(2, struct.pack("<H", 0))),
    "hello-short-version": frame(OP["hello"], tlv(2, b"\x01")),
    "unknown-op": frame(999, id=3),
    "kv-get": frame(OP["kv_get"], tlv(60, b"\0") + tlv(61, "key")),
    "time-get": frame(OP["time_get"]),
    "bad-tlv": frame(OP["hello"], b"\x02\x00\x09\x00ab"),
    "bad-version": frame(OP["ping"], version=2),
    "bad-flags": frame(OP["ping"], flags=0x80),
    "response-flag": frame(OP["ping"], flags=F_RESPONSE),
    "event-flag": frame(OP["ping"], flags=F_EVENT),
    "max-payload": frame(OP["ping"], tlv(1000, b"x" * (MAX_PAYLOAD - 4))),
    "too-big": frame(OP["ping"], b"y" * (MAX_PAYLOAD + 1)),
    "length-lies": frame(OP["ping"], b"", length=40),
    "mac-no-session": frame(OP["ping"], b"\0" * 32, flags=F_MAC)[:16] + b"\0" * 32,
    "garbage-then-ping": b"\x00garbage\xffGD\x01" + frame(OP["ping"], id=7),
    "pipelined": b"".join(frame(OP["ping"], id=i) for i in range(1, 21)),
    "truncated": frame(OP["info"])[:9],
    "bad-crc": frame(OP["ping"])[:14] + b"\0\0",
    "hello-nonce": hello_nonce(CN),
    "hello-nonce-short": frame(OP["hello"], tlv(T_AUTH_NONCE, CN[:31])),
    "hello-proof-alone": hello_proof(b"\0" * 32),
    "hello-both": frame(OP["hello"], tlv(T_AUTH_NONCE, CN) + tlv(T_AUTH_PROOF, CN)),
}

# KV (docs/kv.md): pools 0 host, 1 guest, 2 auto; TLVs 60 pool, 61 key,
# 62 value, 63 cursor, 69 watch on, 70 keys only.
def pool(p):
    return tlv(60, bytes([p]))


kv = {
    "kv-set-get-del": frame(OP["kv_set"], pool(0) + tlv(61, "a/b") + tlv(62, b"v" * 10), id=1) +
    frame(OP["kv_get"], pool(0) + tlv(61, "a/b"), id=2) +
    frame(OP["kv_del"], pool(0) + tlv(61, "a/b"), id=3),
    "kv-watch-set": frame(OP["kv_watch"], pool(0) + tlv(69, b"\1"), id=1) +
    frame(OP["kv_set"], pool(0) + tlv(61, "w") + tlv(62, b"x"), id=2),
    "kv-list": frame(OP["kv_set"], pool(0) + tlv(61, "k1") + tlv(62, b"1"), id=1) +
    frame(OP["kv_list"], pool(0) + tlv(70, b"\1"), id=2) +
    frame(OP["kv_list"], pool(2) + tlv(63, b"\0\0\0\0"), id=3),
    "kv-limits": frame(OP["kv_set"], pool(0) + tlv(61, "k" * 512) + tlv(62, b"v" * 2048), id=1) +
    frame(OP["kv_set"], pool(0) + tlv(61, "k" * 513) + tlv(62, b"v"), id=2) +
    frame(OP["kv_set"], pool(0) + tlv(61, "k") + tlv(62, b"v" * 2049), id=3),
    "kv-bad-key": frame(OP["kv_set"], pool(0) + tlv(61, b"\xff\x00") + tlv(62, b"v"), id=1),
    "kv-guest-pool": frame(OP["kv_set"], pool(1) + tlv(61, "g") + tlv(62, b"v"), id=1),
}

# A whole authenticated conversation, and the ways it can be broken.
auth_ok = (hello_nonce(CN) + hello_proof(client_proof(KEY, CN, SN)) +
           sealed(KS, 0, OP["ping"], id=3) + sealed(KS, 1, OP["info"], id=4))
req0 = sealed(KS, 0, OP["ping"], id=3)
flipped = bytearray(req0)
flipped[20] ^= 1
sessions = {
    "auth-ok": auth_ok,
    "auth-wrong-key": hello_nonce(CN) + hello_proof(client_proof(b"\1" * 32, CN, SN)),
    "auth-unauthenticated": frame(OP["ping"]) + frame(OP["info"]),
    "auth-replay": hello_nonce(CN) + hello_proof(client_proof(KEY, CN, SN)) + req0 + req0,
    "auth-flipped": hello_nonce(CN) + hello_proof(client_proof(KEY, CN, SN)) + bytes(flipped),
    "auth-reordered": hello_nonce(CN) + hello_proof(client_proof(KEY, CN, SN)) +
    sealed(KS, 1, OP["info"], id=4) + req0,
    "auth-plain-after": hello_nonce(CN) + hello_proof(client_proof(KEY, CN, SN)) +
    frame(OP["ping"]),
    "auth-garbage-after": hello_nonce(CN) + hello_proof(client_proof(KEY, CN, SN)) +
    b"xxxx" + req0,
    "auth-rehello": hello_nonce(CN) + hello_proof(client_proof(KEY, CN, SN)) +
    sealed(KS, 0, OP["hello"], tlv(T_AUTH_NONCE, CN), id=5),
}


if len(sys.argv) != 2:
    sys.exit("usage: gen_corpus.py OUT (seeds go to OUT/<target>/seed-*)")
OUT = sys.argv[1]


def write(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


for name, data in frames.items():
    write("decoder", name, data)
    write("request", name, b"\0\0" + data)        # no key, all at once
    write("request", name + "-bytewise", b"\0\1" + data)
    write("request", name + "-keyed", b"\1\7" + data)
for name, data in kv.items():
    write("request", name, b"\0\0" + data)        # the host
    write("request", name + "-guest", b"\2\0" + data)  # a guest process
    write("request", name + "-keyed", b"\3\5" + data)  # guest, key set
for name, data in sessions.items():
    write("decoder", name, data)
    write("request", name, b"\1\0" + data)
    write("request", name + "-split", b"\1\x0d" + data)
    write("request", name + "-nokey", b"\0\0" + data)

# Two connections (fuzz_request mode bit 2): records [ctl][len u16][bytes],
# ctl bit 0 for connection 1 (the watcher, authenticated by the harness when
# a key is set), bit 1 to have the harness seal a whole frame for it. Mode
# bit 3 broadcasts a clock jump after every record: every event that reaches
# the authenticated watcher must carry a valid MAC.
def record(ctl, data):
    return bytes([ctl]) + struct.pack("<H", len(data)) + data


kv_set_host = frame(OP["kv_set"], pool(0) + tlv(61, "w") + tlv(62, b"x"), id=9)
two_conns = {
    "two-watch-kv": record(0, auth_ok) + record(0, sealed(KS, 2, OP["kv_set"],
                                                            pool(0) + tlv(61, "w") + tlv(62, b"x"), id=9)) +
    record(3, frame(OP["ping"], id=1)) + record(3, kv_set_host),
    "two-watcher-plain": record(1, frame(OP["ping"], id=1)) + record(0, kv_set_host),
    "two-watcher-asks": record(3, frame(OP["time_get"], id=2)) +
    record(3, frame(OP["kv_list"], pool(0), id=3)) + record(0, b"\0\1"),
    "two-guest-sets": record(0, frame(OP["kv_set"], pool(1) + tlv(61, "g") + tlv(62, b"v"), id=1)) +
    record(3, frame(OP["kv_get"], pool(1) + tlv(61, "g"), id=2)),
}
for name, data in two_conns.items():
    write("request", name, b"\x05" + data)            # key, records
    write("request", name + "-jumps", b"\x0d" + data)  # and clock jumps
    write("request", name + "-guest", b"\x07" + data)  # conn 0 a guest process
    write("request", name + "-nokey", b"\x04" + data)
write("request", "auth-ok-jumps", b"\x09\x00" + auth_ok)
write("request", "auth-ok-jumps-split", b"\x09\x0d" + auth_ok)

# The QGA framer and request checks (fuzz_qga): what libvirt, Proxmox and
# 0xFF-first clients send, and the bad inputs the tests name.
qga = {
    "libvirt": libvirt_sync(7) + libvirt_cmd("guest-get-time"),
    "libvirt-set-time": libvirt_sync(8) + libvirt_cmd("guest-set-time", time=1700000000000000000),
    "libvirt-shutdown": libvirt_sync(9) + libvirt_cmd("guest-shutdown", mode="reboot"),
    "proxmox": proxmox_pair(10, "guest-ping"),
    "proxmox-args-first": proxmox_pair(11, "guest-shutdown", {"mode": "powerdown"}, args_first=True),
    "sentinel": b'\xff{"execute":"guest-sync-delimited","arguments":{"id":12}}\n',
    "garbage-then-sentinel": b'{"exec\xff\xff{"execute":"guest-info"}',
    "malformed": b'{"execute":"guest-ping",}\n{"execute":}\n',
    "deep": b"[" * 70 + b"]" * 70 + b"\n",
    "huge-number": b'{"execute":"guest-sync","arguments":{"id":123456789012345678901234567890}}',
    "unknown": b'{"execute":"guest-exec","arguments":{"path":"/bin/sh"}}',
    "strings": b'{"execute":"guest-set-time","arguments":{"time":"\\u0041\\ud800"}}',
}
for cmd in ("guest-ping", "guest-info", "guest-get-osinfo", "guest-get-host-name",
            "guest-get-timezone", "guest-network-get-interfaces", "guest-fsfreeze-status",
            "guest-get-time", "guest-set-time", "guest-shutdown", "guest-sync",
            "guest-sync-delimited"):
    qga["cmd-" + cmd] = b"\xff" + libvirt_cmd(cmd)
for name, data in qga.items():
    write("qga", name, data)
