"""Start a program as the only thing that sees a filesystem tree: inside a
mount namespace (the caller's `unshare --mount`), pivot_root(2) into ROOT
(a mount point), detach the old root, then exec PROG ARGS. /proc/self/
mountinfo then lists ROOT's mounts only: nothing of the machine's own
filesystems, which must never be frozen.

    python3 fsns.py ROOT PROG [ARGS...]
"""
import ctypes
import os
import sys

SYS_PIVOT_ROOT = 155  # x86_64
MNT_DETACH = 2

libc = ctypes.CDLL(None, use_errno=True)


def check(rc, what):
    if rc != 0:
        e = ctypes.get_errno()
        sys.exit("fsns: %s: %s" % (what, os.strerror(e)))


root, prog, args = sys.argv[1], sys.argv[2], sys.argv[2:]
os.chdir(root)
os.makedirs("oldroot", exist_ok=True)
check(libc.syscall(SYS_PIVOT_ROOT, b".", b"oldroot"), "pivot_root")
os.chdir("/")
check(libc.umount2(b"/oldroot", MNT_DETACH), "umount /oldroot")
os.rmdir("/oldroot")
os.execv(prog, args)
