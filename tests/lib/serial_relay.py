"""Stand-in for QEMU's virtio-serial chardev on a machine without QEMU:
a pty pair whose slave side guestd opens as its serial line (--serial PATH),
and a unix socket server that relays one client at a time to the master
side, as `-chardev socket,server=on` does: a later client waits in the
backlog until the first leaves. Bytes written while no client is connected
are discarded, like a chardev with no client.

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
    # While a client is connected the listener is not polled: a second
    # client waits in the backlog until the first leaves, as with QEMU's
    # chardev, which stops accepting while it has a connection.
    fds = [master] + ([client] if client else [srv])
    ready, _, _ = select.select(fds, [], [])
    if client and client in ready:
        try:
            data = client.recv(65536)
        except ConnectionResetError:  # a client that left with bytes unread
            data = b""
        if not data:
            client.close()
            client = None
        else:
            os.write(master, data)
    if master in ready:
        data = os.read(master, 65536)
        if client:
            try:
                client.sendall(data)
            except (BrokenPipeError, ConnectionResetError):
                client.close()
                client = None
    if srv in ready:
        client, _ = srv.accept()
