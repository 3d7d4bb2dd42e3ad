"""Stand-in for QEMU's virtio-serial chardev on a machine without QEMU:
a pty pair whose slave side guestd opens as its serial line (--serial PATH),
and a unix socket server that relays one client at a time to the master side,
as `-chardev socket,server=on` does. Bytes written while no client is
connected are discarded, like a chardev with no client.

usage: serial_relay.py SOCKET_PATH LINK_PATH   (LINK_PATH -> the pty slave)
"""
import os
import select
import socket
import sys
import tty

sock_path, link_path = sys.argv[1], sys.argv[2]
master, slave = os.openpty()
tty.setraw(slave)
slave_name = os.ttyname(slave)
if os.path.lexists(link_path):
    os.unlink(link_path)
os.symlink(slave_name, link_path)
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(sock_path)
srv.listen(4)
client = None
while True:
    fds = [srv, master] + ([client] if client else [])
    ready, _, _ = select.select(fds, [], [])
    if srv in ready:
        c, _ = srv.accept()
        if client:
            c.close()  # one client at a time, like QEMU's chardev
        else:
            client = c
    if master in ready:
        data = os.read(master, 65536)
        if client:
            client.sendall(data)
    if client and client in ready:
        data = client.recv(65536)
        if not data:
            client.close()
            client = None
        else:
            os.write(master, data)
