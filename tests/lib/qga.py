"""A QGA (QEMU guest agent protocol) client for tests, reading the way the
real clients do: libvirt by lines, Proxmox by its regex after the last
0xFF, and 0xFF-first clients by discarding up to the 0xFF."""
import json
import re
import socket

SENTINEL = b"\xff"

# Proxmox qemu-server PVE/QMPClient.pm, mux_input for a qga socket.
PROXMOX_RE = re.compile(rb"^.*\xff([^\n]+}\r?\n[^\n]+})\r?\n(.*)$", re.S)


def header_define(path, name):
    """An integer #define from a C header (so tests follow the limits)."""
    m = re.search(r"#define %s (\d+)" % name, open(path).read())
    return int(m.group(1))


def libvirt_sync(id):
    """libvirt's qemuAgentGuestSync text, byte for byte."""
    return b'{"execute":"guest-sync", "arguments":{"id":%d}}\n' % id


def libvirt_cmd(name, **args):
    """virJSONValueToString(cmd, false) + "\\n": compact, execute first."""
    cmd = {"execute": name}
    if args:
        cmd["arguments"] = args
    return json.dumps(cmd, separators=(",", ":")).encode() + b"\n"


def proxmox_pair(id, name, args=None, args_first=False):
    """Proxmox's one write: guest-sync-delimited then the command. Perl's
    to_json orders keys by hash, so "arguments" may come first."""
    def obj(execute, arguments):
        pairs = [("execute", execute), ("arguments", arguments)]
        if args_first:
            pairs.reverse()
        return json.dumps(dict(pairs), separators=(",", ":"))
    return (obj("guest-sync-delimited", {"id": id}) + "\n" +
            obj(name, args or {}) + "\n").encode()


class Client:
    def __init__(self, path, timeout=5.0):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(timeout)
        self.s.connect(path)
        self.buf = b""

    def send(self, data):
        self.s.sendall(data)

    def _fill(self):
        chunk = self.s.recv(65536)
        if not chunk:
            raise EOFError("agent closed the connection")
        self.buf += chunk

    def line(self):
        """One response line, newline included."""
        while b"\n" not in self.buf:
            self._fill()
        line, _, self.buf = self.buf.partition(b"\n")
        return line + b"\n"

    def after_sentinel(self):
        """Discard through the next 0xFF; return what was discarded."""
        while SENTINEL not in self.buf:
            self._fill()
        skipped, _, self.buf = self.buf.partition(SENTINEL)
        return skipped

    def proxmox_read(self):
        """Read until Proxmox's regex matches; its two JSON objects."""
        while True:
            m = PROXMOX_RE.match(self.buf)
            if m:
                self.buf = m.group(2)
                first, second = m.group(1).split(b"\n")
                return json.loads(first), json.loads(second)
            self._fill()

    def libvirt_sync(self, id, tries=20):
        """libvirt's guest-sync: send it, then skip lines (stale answers,
        errors, garbage) until the one returning id, as qemuAgentGuestSync
        does on a channel another client may have left dirty."""
        self.send(libvirt_sync(id))
        for _ in range(tries):
            try:
                if json.loads(self.line()) == {"return": id}:
                    return True
            except ValueError:
                pass
        return False

    def call(self, data):
        self.send(data)
        return json.loads(self.line())

    def nothing_within(self, seconds):
        """True when no byte arrives for that long."""
        self.s.settimeout(seconds)
        try:
            chunk = self.s.recv(1)
        except socket.timeout:
            return True
        finally:
            self.s.settimeout(5.0)
        self.buf += chunk
        return False

    def close(self):
        self.s.close()
