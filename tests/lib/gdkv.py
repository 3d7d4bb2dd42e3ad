"""KV helpers for tests: TLVs, requests and the pool file format (docs/kv.md)."""
import struct
import zlib

from gdproto import OP, S, F_EVENT, Conn, frame, tlv

POOL = dict(host=0, guest=1, auto=2)
T = dict(pool=60, key=61, value=62, cursor=63, count=64, change=65,
         dropped=66, persistent=67, store_error=68, watch_on=69,
         keys_only=70, watching=71)
CHANGE = dict(set=1, dele=2, overflow=3)
EV_KV_CHANGED = 0x104
KEY_MAX, VALUE_MAX, POOL_ENTRIES = 512, 2048, 1024


def u8(t, v):
    return tlv(t, struct.pack("<B", v))


def u32(t, v):
    return tlv(t, struct.pack("<I", v))


def req(pool=None, key=None, value=None, **extra):
    p = b""
    if pool is not None:
        p += u8(T["pool"], POOL.get(pool, pool) if isinstance(pool, str) else pool)
    if key is not None:
        p += tlv(T["key"], key)
    if value is not None:
        p += tlv(T["value"], value)
    for name, v in extra.items():
        p += u32(T[name], v) if name == "cursor" else u8(T[name], v)
    return p


def tlv_list(payload):
    """All TLVs in order as (type, bytes)."""
    out, off = [], 0
    while off < len(payload):
        t, n = struct.unpack_from("<HH", payload, off)
        out.append((t, payload[off + 4:off + 4 + n]))
        off += 4 + n
    return out


class KV(Conn):
    """A Conn with KV calls; events that arrive meanwhile are kept."""

    def __init__(self, path, timeout=5.0):
        super().__init__(path, timeout)
        self.id = 0
        self.events = []

    def rpc(self, op, payload=b""):
        self.id += 1
        self.send(frame(OP[op], payload, id=self.id))
        while True:
            r = self.recv_frame()
            assert r is not None, "agent closed the connection"
            if r["flags"] & F_EVENT:
                self.events.append(r)
                continue
            return r

    def set(self, pool, key, value):
        return self.rpc("kv_set", req(pool, key, value))["status"]

    def get(self, pool, key):
        r = self.rpc("kv_get", req(pool, key))
        return r["tlvs"].get(T["value"]) if r["status"] == 0 else r["status"]

    def dele(self, pool, key):
        return self.rpc("kv_del", req(pool, key))["status"]

    def list_pages(self, pool, keys_only=False):
        """Every page of a LIST: [(entries, count, payload_len)]."""
        pages, cursor = [], 0
        while True:
            extra = dict(cursor=cursor)
            if keys_only:
                extra["keys_only"] = 1
            r = self.rpc("kv_list", req(pool, **extra))
            assert r["status"] == 0, r
            items = tlv_list(r["payload"])
            entries, key = [], None
            for t, v in items:
                if t == T["key"]:
                    key = v
                    if keys_only:
                        entries.append((key, None))
                elif t == T["value"]:
                    entries.append((key, v))
            count = struct.unpack("<I", r["tlvs"][T["count"]])[0]
            pages.append((entries, count, len(r["payload"])))
            if T["cursor"] not in r["tlvs"]:
                return pages
            cursor = struct.unpack("<I", r["tlvs"][T["cursor"]])[0]

    def watch(self, pool=None, on=1):
        p = req(pool) if pool is not None else b""
        return self.rpc("kv_watch", p + u8(T["watch_on"], on))["status"]

    def next_event(self):
        if self.events:
            return self.events.pop(0)
        while True:
            r = self.recv_frame()
            if r is None or r["flags"] & F_EVENT:
                return r


def event_fields(ev):
    t = ev["tlvs"]
    out = dict(change=t[T["change"]][0])
    if T["pool"] in t:
        out["pool"] = t[T["pool"]][0]
    if T["key"] in t:
        out["key"] = t[T["key"]]
    if T["dropped"] in t:
        out["dropped"] = struct.unpack("<I", t[T["dropped"]])[0]
    return out


def read_pool_file(path):
    """Parse and check a pool file; returns (pool, generation, {key: value}).
    Raises ValueError on any damage."""
    data = open(path, "rb").read()
    if len(data) < 24 or data[:4] != b"GDKV":
        raise ValueError("bad header")
    ver, pool, _, gen, count = struct.unpack_from("<HBBQI", data, 4)
    if ver != 1:
        raise ValueError("version")
    if struct.unpack_from("<I", data, len(data) - 4)[0] != zlib.crc32(data[:-4]):
        raise ValueError("checksum")
    off, entries = 20, {}
    for _ in range(count):
        kl, vl = struct.unpack_from("<HH", data, off)
        off += 4
        k, v = data[off:off + kl], data[off + kl:off + kl + vl]
        off += kl + vl
        if kl == 0 or kl > KEY_MAX or vl > VALUE_MAX or k in entries:
            raise ValueError("record")
        entries[k] = v
    if off != len(data) - 4:
        raise ValueError("length")
    return pool, gen, entries
