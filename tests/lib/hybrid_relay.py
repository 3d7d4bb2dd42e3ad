#!/usr/bin/env python3
"""A hybrid vsock relay for tests: the host side of Firecracker's and Cloud
Hypervisor's virtio-vsock, with a unix socket standing in for the guest.

It follows the host-initiated handshake both projects document in their
docs/vsock.md (Firecracker "Host-Initiated Connections"; Cloud Hypervisor
"Connecting from Host to Guest", which defers to Firecracker's):
  1. the host connects to the VM's unix socket (UDS_PATH here);
  2. it sends "CONNECT <port>\\n" (decimal port, ASCII LF);
  3. if something in the guest listens on <port>, the relay answers
     "OK <host-side port>\\n" and from then on forwards bytes both ways;
  4. if nothing listens there, the relay closes the host connection
     without a word.
Like Firecracker, the command word is matched without regard to case, the
line is read one byte at a time so no protocol byte after it is swallowed,
a line longer than 32 bytes or not of that form is refused by closing, and
host-side ports are handed out from 1 << 30 upwards.

The "guest" is one unix socket (guestd's, started with --unix), reached
for the one PORT given; every other port has no listener.

usage: hybrid_relay.py UDS_PATH PORT GUEST_SOCKET [--reply TEXT] [--hold]
  --reply TEXT  answer TEXT (Python escapes allowed) instead of the OK line,
                then forward as usual: a misbehaving relay, to test guestctl
  --hold        read the CONNECT line, then say nothing more (after TEXT,
                with --reply) and keep the connection open; the guest is
                never reached, so none of its bytes follow
"""
import itertools
import os
import socket
import sys
import threading

CMD_MAX = 32  # Firecracker reads at most 32 bytes of command line
host_ports = itertools.count(1 << 30)


def read_command(c):
    line = b""
    while not line.endswith(b"\n"):
        if len(line) >= CMD_MAX:
            return None
        b = c.recv(1)
        if not b:
            return None
        line += b
    words = line.decode("ascii", "replace").split()
    if len(words) != 2 or words[0].lower() != "connect" or not words[1].isdigit():
        return None
    return int(words[1])


def pump(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    for s in (dst, src):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def serve(c, port, guest_path, reply, hold):
    want = read_command(c)
    if want is None or want != port:
        c.close()  # no listener on that port: the host sees EOF
        return
    if hold:
        if reply is not None:
            c.sendall(reply)
        threading.Event().wait()
    g = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        g.connect(guest_path)
    except OSError:
        c.close()
        g.close()
        return
    c.sendall(reply if reply is not None else b"OK %d\n" % next(host_ports))
    threading.Thread(target=pump, args=(g, c), daemon=True).start()
    pump(c, g)


def main():
    args = sys.argv[1:]
    reply, hold = None, False
    if "--hold" in args:
        args.remove("--hold")
        hold = True
    if "--reply" in args:
        i = args.index("--reply")
        reply = args[i + 1].encode().decode("unicode_escape").encode("latin-1")
        del args[i:i + 2]
    uds_path, port, guest_path = args[0], int(args[1]), args[2]
    # bound and listening before the path appears: tests may wait for it
    tmp = "%s.%d" % (uds_path, os.getpid())
    ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    ls.bind(tmp)
    ls.listen(64)
    os.rename(tmp, uds_path)
    while True:
        c, _ = ls.accept()
        threading.Thread(target=serve, args=(c, port, guest_path, reply, hold),
                         daemon=True).start()


if __name__ == "__main__":
    main()
