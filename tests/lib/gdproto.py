"""Raw protocol v1 frames for tests that must send what guestctl never would."""
import socket
import struct
import time

HDR = 16
MAX_PAYLOAD = 8192
F_RESPONSE, F_EVENT, F_MAC = 1, 2, 4
OP = dict(hello=1, ping=2, info=3, shutdown=4, time_get=5, time_set=6,
          kv_get=7, kv_set=8, kv_del=9, kv_list=10, kv_watch=11)
S = dict(ok=0, bad_frame=1, bad_version=2, too_big=3, unknown_op=4, bad_tlv=5,
         missing_field=6, bad_value=7, bad_flags=8, auth_required=9,
         auth_failed=10, not_found=11, read_only=12, pool_full=13, bad_key=14,
         busy=15, not_permitted=16, unsupported=17, timeout=18, internal=19)


def crc16(data):
    crc = 0xFFFF
    for b in data:
        crc ^= b << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def tlv(t, value):
    if isinstance(value, str):
        value = value.encode()
    return struct.pack("<HH", t, len(value)) + value


def frame(op, payload=b"", id=1, flags=0, status=0, version=1, length=None):
    n = len(payload) if length is None else length
    h = struct.pack("<2sBBHHIH", b"GD", version, flags, op, status, id, n)
    return h + struct.pack("<H", crc16(h)) + payload


def parse_tlvs(payload):
    out, off = {}, 0
    while off < len(payload):
        t, n = struct.unpack_from("<HH", payload, off)
        out.setdefault(t, payload[off + 4:off + 4 + n])
        off += 4 + n
    return out


class Conn:
    def __init__(self, path, timeout=15.0):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(timeout)
        self.s.connect(path)
        self.buf = b""

    def send(self, data):
        self.s.sendall(data)

    def recv_frame(self):
        """Returns dict(op, status, id, flags, tlvs, payload) or None on EOF."""
        while True:
            if len(self.buf) >= HDR:
                magic, ver, flags, op, status, id, n, crc = struct.unpack_from(
                    "<2sBBHHIHH", self.buf)
                total = HDR + n + (32 if flags & F_MAC else 0)
                if len(self.buf) >= total:
                    payload = self.buf[HDR:HDR + n]
                    self.buf = self.buf[total:]
                    return dict(op=op, status=status, id=id, flags=flags,
                                payload=payload, tlvs=parse_tlvs(payload))
            chunk = self.s.recv(65536)
            if not chunk:
                return None
            self.buf += chunk

    def call(self, op, payload=b"", id=1):
        self.send(frame(op, payload, id=id))
        return self.recv_frame()

    def close(self):
        self.s.close()
