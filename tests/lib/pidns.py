"""Run a command whose child becomes PID 1 of a new PID namespace
(`unshare --pid --fork ...`) and report how that init ended.

usage: pidns.py RESULT PIDFILE CMD...

PIDFILE gets the host pid of unshare's child (the namespace's init) once
it exists. RESULT gets one line when CMD ends: "signal NAME END" or
"exit N END", END being time.time_ns(). unshare --fork re-raises the signal
that ended its child on itself, so CMD's own wait status says it; bash's
$? could not tell SIGINT from exit(130), this can.
"""
import os
import signal
import subprocess
import sys
import time


def write_atomic(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.rename(tmp, path)


def child_of(pid, timeout=10.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            kids = open(f"/proc/{pid}/task/{pid}/children").read().split()
        except OSError:
            return None
        if kids:
            return kids[0]
        time.sleep(0.005)
    return None


def main():
    result, pidfile, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL)
    init = child_of(p.pid)
    if init:
        write_atomic(pidfile, init + "\n")
    rc = p.wait()
    end = time.time_ns()
    if rc < 0:
        line = f"signal {signal.Signals(-rc).name[3:]} {end}\n"
    else:
        line = f"exit {rc} {end}\n"
    write_atomic(result, line)


main()
