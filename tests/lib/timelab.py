"""Clock measurements for the e2e time tests and the bench, through guestctl.

measure() runs `guestctl --json time` and stamps the host's own clocks
right after, so two measurements give the guest clock's drift against the
host and show whether either machine's clock jumped in between:

- the host clock stepped: host CLOCK_REALTIME moved against CLOCK_MONOTONIC
  (an NTP step on the host, or the host machine paused and resumed, which
  leaves its realtime behind until something steps it);
- the VM was paused (QEMU stop/cont; a starved TCG guest is not, its TSC is
  the host's): the guest's clocks stood still, so the offset leaves the
  line its drift draws (jump(), with a measurement halfway as the witness)
  or, with a known drift, its CLOCK_MONOTONIC fell behind (paused()).

A test that sees a jump reports it as such, never as a wrong rate.
"""
import json
import os
import subprocess
import time

MS = 1_000_000
S = 1_000_000_000
# A jump is a discrepancy above this, plus what drift and slews allow.
JUMP_MIN_NS = 20 * MS
SLEW_PPM = 500  # the kernel's adjtime slew rate


def guestctl(sock, *args, timeout=30):
    """Run guestctl --json on the unix socket; the last JSON line, as a dict."""
    gc = os.environ["GUESTCTL"]
    for attempt in range(2):
        p = subprocess.run([gc, "--json", "--unix", sock] + list(args),
                           capture_output=True, text=True, timeout=timeout)
        lines = [l for l in p.stdout.splitlines() if l.startswith("{")]
        # QEMU's chardev serves one client at a time: a call right after
        # the previous one may time out (4) while the agent reopens.
        if p.returncode == 4 and attempt == 0:
            time.sleep(0.5)
            continue
        if not lines:
            raise RuntimeError("guestctl %s: exit %d, %s" %
                               (" ".join(args), p.returncode, p.stderr.strip()))
        d = json.loads(lines[-1])
        d["exit_code"] = p.returncode
        return d
    raise AssertionError("unreachable")


def host_clocks():
    return {"host_mono": time.clock_gettime_ns(time.CLOCK_MONOTONIC),
            "host_real": time.clock_gettime_ns(time.CLOCK_REALTIME)}


def measure(sock, samples=16):
    """One `guestctl time` with the host clocks stamped right after, and
    the host's monotonic clock also right before (the guest's stamps fall
    between the two)."""
    before = time.clock_gettime_ns(time.CLOCK_MONOTONIC)
    d = guestctl(sock, "time", "--samples", str(samples))
    if not d.get("ok"):
        raise RuntimeError("guestctl time failed: %s" % d)
    d.update(host_clocks())
    d["host_mono_before"] = before
    return d


def host_at_sample(d):
    """Host realtime at the guest's stamp of the best sample: guest realtime
    minus the offset. Exact to the offset's bound, unlike a host stamp taken
    after guestctl exits."""
    return d["guest_realtime_ns"] - d["offset_ns"]


def elapsed(a, b):
    """Host time between the two best samples."""
    return host_at_sample(b) - host_at_sample(a)


def drift_ppm(a, b, applied_ns=0):
    """Guest drift against the host between two measurements (ppm) and its
    bound: the offsets are each true within +-delay/2. applied_ns is what
    was done to the guest clock in between (a step, say)."""
    t = elapsed(a, b)
    d = (b["offset_ns"] - a["offset_ns"] - applied_ns) / t * 1e6
    bound = (a["delay_ns"] + b["delay_ns"]) / 2 / t * 1e6
    return d, bound


def host_step(points):
    """None, or how the host clock stepped between consecutive points, from
    their host stamps only (host_clocks(): any dict that has them)."""
    for a, b in zip(points, points[1:]):
        step = (b["host_real"] - b["host_mono"]) - (a["host_real"] - a["host_mono"])
        if abs(step) > JUMP_MIN_NS:
            return "the host clock stepped by %.3f s" % (step / S)
    return None


def host_stepped(points):
    """None, or how the host clock stepped between consecutive measurements."""
    for a, b in zip(points, points[1:]):
        if elapsed(a, b) <= 0:
            return "the host clock went back %.3f s" % (-elapsed(a, b) / S)
    return host_step(points)


def jump(a, m, b):
    """None, or why the interval a..b cannot be trusted. The middle
    measurement m is the witness: a clock that drifts does so alike in both
    halves, while a pause (the VM stopped, its clocks with it) or a step
    puts the end off the line the first half draws."""
    why = host_stepped([a, m, b])
    if why:
        return why
    d1 = (m["offset_ns"] - a["offset_ns"]) / elapsed(a, m)
    off_line = b["offset_ns"] - m["offset_ns"] - d1 * elapsed(m, b)
    noise = (a["delay_ns"] + m["delay_ns"] + b["delay_ns"]) * (1 + elapsed(m, b) / elapsed(a, m))
    if abs(off_line) > JUMP_MIN_NS + noise:
        return ("the guest clock jumped %+.3f s off its drift line (the VM "
                "paused, or its clock was set)" % (off_line / S))
    return None


def paused(a, b, drift_ppm=0.0, slewing=False):
    """None, or how long the VM did not run between a and b, when its drift
    is known beforehand (a correction is in force): its monotonic clock
    advanced less than the host's by more than drift and a slew explain."""
    why = host_stepped([a, b])
    if why:
        return why
    t = elapsed(a, b)
    guest = b["guest_monotonic_ns"] - a["guest_monotonic_ns"]
    expected = t * (1 + drift_ppm / 1e6)
    allowed = JUMP_MIN_NS + t * (SLEW_PPM if slewing else 0) / 1e6
    if abs(guest - expected) > allowed:
        return ("the VM did not run for %.3f s of %.3f s (paused)"
                % ((expected - guest) / S, t / S))
    return None


def stood_still(a, b, drift_ppm=0.0, slack_ns=50 * MS):
    """None, or why the guest did not run all the time between a and b,
    from the host's monotonic stamps around each measurement (guestctl's
    start and exit are in them, so the host time between the guest's two
    samples is only known to lie between the inner and the outer stamps),
    which holds across steps of the guest clock made in between."""
    step = (b["host_real"] - b["host_mono"]) - (a["host_real"] - a["host_mono"])
    if abs(step) > JUMP_MIN_NS:
        return "the host clock stepped by %.3f s" % (step / S)
    rate = 1 + drift_ppm / 1e6
    inner = (b.get("host_mono_before", b["host_mono"]) - a["host_mono"]) * rate
    outer = (b["host_mono"] - a.get("host_mono_before", a["host_mono"])) * rate
    guest = b["guest_monotonic_ns"] - a["guest_monotonic_ns"]
    if guest < inner - slack_ns:
        return ("the VM did not run for %.3f s of %.3f s (paused)"
                % ((inner - guest) / S, inner / S))
    if guest > outer + slack_ns:
        return ("the guest's monotonic clock ran %.3f s past the host's "
                "(its drift is not what was measured)" % ((guest - outer) / S))
    return None


def tap(ok, name, why=""):
    print("%s - %s" % ("ok" if ok else "not ok", name), flush=True)
    if not ok and why:
        print("#   %s" % why, flush=True)
    return ok


def skip(name, why):
    print("ok - # SKIP %s: %s" % (name, why), flush=True)


def note(text):
    print("# " + text, flush=True)


def _cli(argv):
    """timelab.py measure SOCK [SAMPLES]   one measurement, as JSON
    timelab.py drift A M B               "PPM BOUND" from A to B, M halfway
                                         (exit 3 and why, if a clock jumped)"""
    if len(argv) >= 2 and argv[0] == "measure":
        print(json.dumps(measure(argv[1], int(argv[2]) if len(argv) > 2 else 16)))
        return 0
    if len(argv) >= 4 and argv[0] == "drift":
        a, m, b = (json.loads(x) for x in argv[1:4])
        d, bound = drift_ppm(a, b)
        why = jump(a, m, b)
        if why:
            print(why)
            return 3
        print("%.1f %.1f" % (d, bound))
        return 0
    print(_cli.__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    import sys
    sys.exit(_cli(sys.argv[1:]))
