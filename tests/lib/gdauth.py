"""Protocol v1 authentication (docs/auth.md), written independently of the
C code with Python's hmac, for tests that must speak or break it by hand."""
import hashlib
import hmac
import os
import struct

from gdproto import F_MAC, F_RESPONSE, HDR, OP, Conn, frame, parse_tlvs, tlv

T_PROTO_VERSION, T_AUTH_NONCE, T_AUTH_PROOF = 2, 80, 81
TO_AGENT, TO_HOST = 1, 2
MAC_LEN = 32


def hm(key, *parts):
    return hmac.new(key, b"".join(parts), hashlib.sha256).digest()


def client_proof(key, cn, sn):
    return hm(key, b"guestd v1 client", cn, sn)


def session_key(key, cn, sn):
    return hm(key, b"guestd v1 session", cn, sn)


def frame_mac(skey, direction, seq, wire):
    return hm(skey, bytes([direction]), struct.pack("<Q", seq), wire)


def sealed(skey, seq, op, payload=b"", id=1, flags=0, direction=TO_AGENT):
    f = frame(op, payload, id=id, flags=flags | F_MAC)
    return f + frame_mac(skey, direction, seq, f)


def hello_nonce(cn, id=1):
    return frame(OP["hello"], tlv(T_PROTO_VERSION, struct.pack("<H", 1)) +
                 tlv(T_AUTH_NONCE, cn), id=id)


def hello_proof(proof, id=2):
    return frame(OP["hello"], tlv(T_AUTH_PROOF, proof), id=id)


class AuthConn(Conn):
    """A Conn that can authenticate and then MACs and checks every frame."""

    skey = None
    send_seq = recv_seq = 0

    def recv_frame(self):
        """As Conn.recv_frame, plus raw (header+payload), mac and mac_ok
        (checked against the session when there is one)."""
        while True:
            if len(self.buf) >= HDR:
                flags = self.buf[3]
                n = struct.unpack_from("<H", self.buf, 12)[0]
                total = HDR + n + (MAC_LEN if flags & F_MAC else 0)
                if len(self.buf) >= total:
                    raw, mac = self.buf[:HDR + n], self.buf[HDR + n:total]
                    self.buf = self.buf[total:]
                    op, status, id = struct.unpack_from("<HHI", raw, 4)
                    r = dict(op=op, status=status, id=id, flags=flags,
                             payload=raw[HDR:], tlvs=parse_tlvs(raw[HDR:]),
                             raw=raw, mac=mac, mac_ok=None)
                    if self.skey is not None and flags & F_MAC:
                        r["mac_ok"] = hmac.compare_digest(mac, frame_mac(
                            self.skey, TO_HOST, self.recv_seq, raw))
                        self.recv_seq += 1
                    return r
            chunk = self.s.recv(65536)
            if not chunk:
                return None
            self.buf += chunk

    def authenticate(self, key, cn=None):
        """Nonces, proof; returns the answer to the proof (MAC-checked)."""
        cn = cn or os.urandom(32)
        self.send(hello_nonce(cn))
        r = self.recv_frame()
        assert r and r["status"] == 0 and T_AUTH_NONCE in r["tlvs"], r
        sn = r["tlvs"][T_AUTH_NONCE]
        self.cn, self.sn = cn, sn
        self.send(hello_proof(client_proof(key, cn, sn)))
        self.skey, self.send_seq, self.recv_seq = session_key(key, cn, sn), 0, 0
        return self.recv_frame()

    def seal(self, op, payload=b"", id=1, flags=0):
        """The next sealed frame's bytes (advances the send sequence)."""
        f = sealed(self.skey, self.send_seq, op, payload, id=id, flags=flags)
        self.send_seq += 1
        return f

    def scall(self, op, payload=b"", id=1):
        self.send(self.seal(op, payload, id=id))
        return self.recv_frame()


if __name__ == "__main__":
    # Print docs/auth.md's test vectors.
    key, cn, sn = bytes(range(32)), bytes(range(32, 64)), bytes(range(64, 96))
    ks = session_key(key, cn, sn)
    req = sealed(ks, 0, OP["ping"], id=1)
    ans = frame(OP["ping"], id=1, flags=F_RESPONSE | F_MAC)
    print("K    ", key.hex())
    print("cn   ", cn.hex())
    print("sn   ", sn.hex())
    print("proof", client_proof(key, cn, sn).hex())
    print("Ks   ", ks.hex())
    print("req  ", req.hex())
    print("ans  ", (ans + frame_mac(ks, TO_HOST, 0, ans)).hex())
    req2 = sealed(ks, 1, OP["ping"], tlv(1, "hi"), id=2)
    print("req2 ", req2.hex())
