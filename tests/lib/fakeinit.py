"""A stand-in PID 1 for tests of guestd when it is NOT PID 1.

Run it through a copy of the python binary named like the init to fake
(busybox, systemd, init...), as PID 1 of a PID namespace:
    fakeinit.py RECORD -- CMD...
It starts CMD (guestd) as its child, then waits. The first shutdown
request it receives, a signal or a sysvinit /run/initctl request, is
written to RECORD and it exits 0 (so the namespace ends with exit 0, not
with the SIGINT/SIGHUP reboot(2) would give).
"""
import os
import signal
import struct
import subprocess
import sys
import threading
import time

record, cmd = sys.argv[1], sys.argv[3:]
done = []  # a plain list: a signal handler must not take a lock (Event.set)
lines = []


def finish(text):
    lines.append(text)
    with open(record + ".tmp", "w") as f:
        f.write("\n".join(lines) + "\n")
    os.rename(record + ".tmp", record)
    done.append(1)


def on_signal(sig, frame):
    finish(f"signal {sig}")


for s in (signal.SIGUSR1, signal.SIGUSR2, signal.SIGTERM, signal.SIGINT,
          signal.SIGPWR, *range(signal.SIGRTMIN, signal.SIGRTMAX + 1)):
    signal.signal(s, on_signal)


def read_initctl():
    with open("/run/initctl", "rb") as f:
        reqs = []
        while len(reqs) < 2:
            rec = f.read(384)
            if len(rec) < 384:
                break
            magic, cmd_, level, sleep = struct.unpack_from("<iiii", rec)
            data = rec[16:].split(b"\0", 1)[0].decode()
            reqs.append(f"initctl magic={magic:#x} cmd={cmd_} "
                        f"runlevel={chr(level) if level else 0} "
                        f"sleep={sleep} data={data}")
    lines.extend(reqs[:-1])
    finish(reqs[-1] if reqs else "initctl short read")


if os.path.exists("/run/initctl"):
    threading.Thread(target=read_initctl, daemon=True).start()
child = subprocess.Popen(cmd, stdin=subprocess.DEVNULL)
while not done:
    time.sleep(0.02)
    while True:  # reap, as an init does
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            break
sys.exit(0)
