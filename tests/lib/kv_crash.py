"""Crash test driver (test_kv_crash.sh): kv_crash.py GUESTD DIR ROUNDS

Each round: start guestd with a state dir, change the host pool (over the
host socket) and the guest pool (over the local socket) one change at a
time, and SIGKILL guestd at a random moment. Then restart it and check
that every acknowledged change is served (the one in flight may or may
not have landed), and that every pool file parses with a good checksum
and holds exactly what the agent serves. Prints a summary line; exits 1
with the reason on the first failure."""
import os
import random
import signal
import subprocess
import sys
import threading
import time

from gdkv import KV, POOL, read_pool_file

KEYS = 40


class Agent:
    def __init__(self, guestd, d):
        self.guestd, self.d = guestd, d
        self.h, self.l = os.path.join(d, "h.sock"), os.path.join(d, "l.sock")
        self.state = os.path.join(d, "state")
        self.log = open(os.path.join(d, "agent.log"), "ab")
        self.p = None

    def start(self):
        self.p = subprocess.Popen(
            [self.guestd, "--no-vsock", "--config", "/nonexistent",
             "--cmdline", "/nonexistent", "--unix", self.h,
             "--local-sock", self.l, "--state-dir", self.state],
            stdout=self.log, stderr=self.log)
        for _ in range(500):
            try:
                KV(self.l).close()
                return
            except OSError:
                time.sleep(0.01)
        raise SystemExit("guestd did not start")

    def kill(self):
        os.kill(self.p.pid, signal.SIGKILL)


def burst(agent, rnd, expect):
    """Change keys until the agent dies; returns the change in flight."""
    conns = {"host": KV(agent.h), "guest": KV(agent.l)}
    timer = threading.Timer(random.uniform(0.0, 0.15), agent.kill)
    i, acked = 0, 0
    try:
        while True:
            pool = "host" if i % 2 == 0 else "guest"
            key = "k%02d" % (i // 2 % KEYS)
            value = None if i % 7 == 6 else "r%d-%d" % (rnd, i)
            inflight = (pool, key, value)
            c = conns[pool]
            st = c.dele(pool, key) if value is None else c.set(pool, key, value.encode())
            assert st in (0, 11), st  # ok, or not-found for a DEL
            expect[(pool, key)] = value
            inflight = None
            acked += 1
            i += 1
            if i == 2:
                timer.start()  # random moment after the burst is under way
    except (ConnectionError, OSError, TypeError, AssertionError) as e:
        if isinstance(e, AssertionError) and "closed" not in str(e):
            raise
    timer.join()
    agent.p.wait()
    return inflight, acked


def served_pools(agent):
    c = KV(agent.h)
    return {pool: {k: v for p in c.list_pages(pool) for k, v in p[0]}
            for pool in ("host", "guest")}


def verify(agent, expect, inflight):
    served = served_pools(agent)
    for (pool, key), want in expect.items():
        got = served[pool].get(key.encode())
        got = None if got is None else got.decode()
        if inflight and inflight[:2] == (pool, key) and got == inflight[2]:
            expect[(pool, key)] = got  # the unacknowledged change landed
        elif got != want:
            raise SystemExit("%s/%s: acknowledged %r, agent has %r" % (pool, key, want, got))
    if inflight and inflight[:2] not in expect:
        got = served[inflight[0]].get(inflight[1].encode())
        assert got is None or got.decode() == inflight[2], (inflight, got)
        expect[inflight[:2]] = None if got is None else got.decode()
    for pool in ("host", "guest"):
        files = [os.path.join(agent.state, "kv-%s.%d" % (pool, i)) for i in (0, 1)]
        try:
            good = [read_pool_file(f) for f in files if os.path.exists(f)]
        except ValueError as e:
            raise SystemExit("damaged pool file: %s" % e)
        if good:
            p, gen, entries = max(good, key=lambda x: x[1])
            if p != POOL[pool] or entries != served[pool]:
                raise SystemExit("%s: newest file (generation %d) differs from the agent" % (pool, gen))


def main(guestd, d, rounds):
    agent = Agent(guestd, d)
    expect, total, midsave = {}, 0, 0
    agent.start()
    for rnd in range(1, int(rounds) + 1):
        inflight, acked = burst(agent, rnd, expect)
        total += acked
        midsave += any(f.endswith(".tmp") for f in os.listdir(agent.state))
        agent.start()
        verify(agent, expect, inflight)
    agent.p.terminate()
    agent.p.wait()
    print("%d %d %d" % (total, midsave, len(expect)))


if __name__ == "__main__":
    main(*sys.argv[1:4])
