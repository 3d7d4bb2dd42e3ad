"""The second half of test_time.sh, in a TCG guest whose clock drifts by
whatever its boot calibrated (thousands of ppm, differently every boot).
Run with QB_SOCK set, right after the hour was stepped away; the first
argument is that sync's JSON.

Every assertion is made relative to the drift measured just before, under
the same frequency correction (the syncs after the first learning one all
say --freq hold, so it does not change under a measurement), and an
interval in which a clock jumped (the host paused) is reported as a jump
and skipped, never as a wrong rate. TAP lines without numbers on stdout.
"""
import json
import os
import select
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from timelab import *  # noqa: E402,F401
import gdproto  # noqa: E402

SOCK = os.environ["QB_SOCK"]
TOLERANCE_NS = 5 * MS  # what a sync over virtio-serial under TCG achieves
SLEW_TOLERANCE_PPM = 100
T_FREQ_MODE = 106  # libmini/proto_time.h GD_T_TIME_FREQ_MODE
FREQ_HOLD = 1


def pause_vm(seconds):
    """Stop the VM for that long on the QEMU monitor (GD_TEST_PAUSE_S: the
    check that a jump mid-measurement is reported as one)."""
    for cmd in ("stop", "cont"):
        subprocess.run(["socat", "-t", "2", "-", "unix-connect:" + os.environ["QB_MON"]],
                       input=cmd + "\n", capture_output=True, text=True, timeout=10)
        if cmd == "stop":
            time.sleep(seconds)


def drift_line(label, settle=2.0, pause_s=0.0):
    """(ppm, bound, a, b) over 2 x settle s with a witness halfway, or
    (None, why, ...) when a clock jumped twice in a row. pause_s stops the
    VM that long in the second half of the first try."""
    for attempt in range(2):
        a = measure(SOCK)
        time.sleep(settle)
        m = measure(SOCK)
        time.sleep(settle)
        if pause_s and attempt == 0:
            pause_vm(pause_s)
        b = measure(SOCK)
        why = jump(a, m, b)
        if not why:
            d, bound = drift_ppm(a, b)
            note("%s: %+.1f ppm (+- %.1f; offset %.3f -> %.3f ms in %.3f s)"
                 % (label, d, bound, a["offset_ns"] / MS, b["offset_ns"] / MS,
                    elapsed(a, b) / S))
            return d, bound, a, b
        note("%s: measurement %d thrown away: %s" % (label, attempt + 1, why))
    return None, why, None, None


def push_guest(ms):
    """Step the guest clock ms ahead with a raw TIME_SET (mode step) that
    claims the host is there, holding the frequency correction (a lying
    host must not teach guestd a rate). Returns the host time of the push."""
    c = gdproto.Conn(SOCK)
    r = c.call(gdproto.OP["time_get"])
    t2 = struct.unpack("<Q", r["tlvs"][43])[0]
    r = c.call(gdproto.OP["time_set"],
               gdproto.tlv(45, struct.pack("<Q", t2 + ms * MS)) +
               gdproto.tlv(46, struct.pack("<Q", t2)) +
               gdproto.tlv(47, b"\x01") +
               gdproto.tlv(T_FREQ_MODE, bytes([FREQ_HOLD])))
    ok = r["status"] == 0 and r["tlvs"][51] == b"\x01"
    return tap(ok, "guest pushed %d ms ahead" % ms, r), time.clock_gettime_ns(time.CLOCK_MONOTONIC)


def sync(*args):
    d = guestctl(SOCK, "time", "sync", "--freq", "hold", *args)
    d.update(host_clocks())
    return d


def drifted_ns(ppm, since_mono, until_mono):
    """How far a clock drifting ppm moves between two host monotonic stamps."""
    return abs(ppm) * (until_mono - since_mono) / 1e6


def residual_again(hour_sync, drift, a, b):
    """The residual measured again, against what drift explains since."""
    base = dict(hour_sync, offset_ns=hour_sync["residual_ns"])
    why = jump(base, a, b)
    if why:
        skip("residual measured again", why)
        return
    since = elapsed(base, a)
    expected = hour_sync["residual_ns"] + drift / 1e6 * since
    off = a["offset_ns"] - expected
    tap(abs(off) < TOLERANCE_NS,
        "residual measured again %.3f ms, %.3f ms off what %+.1f ppm of drift "
        "explains in %.3f s (< 5 ms; round trip %.3f ms)" % (
            a["offset_ns"] / MS, off / MS, drift, since / S, a["delay_ns"] / MS))


def pushed_then_synced(ms, drift, *args):
    """Push the guest ms ahead, sync it back: (the sync's answer, the slack
    drift allows on its correction, or None and why when the VM stood
    still in between and the correction tells nothing)."""
    before = measure(SOCK)
    _, pushed = push_guest(ms)
    time.sleep(0.3)
    d = sync(*args)
    after = measure(SOCK)
    why = stood_still(before, after, drift)
    if not why and abs(before["offset_ns"]) > JUMP_MIN_NS:
        # the last sync left it near 0: a clock stepped since (the host's,
        # before this case began), and the push lands elsewhere than ms
        why = ("the guest was %+.3f ms off the host before the push (a "
               "clock stepped since the last sync)" % (before["offset_ns"] / MS))
    return d, TOLERANCE_NS + drifted_ns(drift, pushed, d["host_mono"]), why


def slew_case(drift):
    """Auto mode slews 120 ms; the kernel runs it at 500 ppm on top of the
    drift measured just before."""
    # GD_TEST_STEP_MS moves the guest that far first, as a step of the
    # host clock would (which a test must never make): the case is skipped.
    if os.environ.get("GD_TEST_STEP_MS"):
        push_guest(int(os.environ["GD_TEST_STEP_MS"]))
    d, slack, why = pushed_then_synced(120, drift)
    corr = d.get("correction_ns", 0)
    if why:
        skip("auto mode slews 120 ms, about -120 ms, and its rate", why)
        return
    tap(d.get("action") == "slew", "auto mode slews 120 ms (at or below 128 ms)", d)
    tap(abs(corr + 120 * MS) < slack, "slew correction about -120 ms "
        "(%.3f ms, +- %.3f)" % (corr / MS, slack / MS))
    tap(d.get("slew_left_ns", 0) < -100 * MS, "the kernel has most of the "
        "slew left (%.3f ms)" % (d.get("slew_left_ns", 0) / MS))
    # The kernel starts the slew at its next second.
    time.sleep(1.5)
    rate, bound, a, b = drift_line("offset change while slewing",
                                   pause_s=float(os.environ.get("GD_TEST_PAUSE_S", "0")))
    if rate is None:
        skip("the slew runs at 500 ppm", bound)
        return
    slew = drift - rate  # the offset (guest - host) falls as the guest slows
    tap(abs(slew - SLEW_PPM) < SLEW_TOLERANCE_PPM + bound,
        "the slew runs at 500 ppm, +-100: %+.1f ppm measured, %+.1f of it "
        "the drift" % (slew, drift))


def step_cases(drift):
    d = sync("--mode", "step")
    tap(d.get("action") == "step", "--mode step steps even a small offset", d)
    tap(d.get("slew_left_ns") == 0, "the step also cancelled the slew", d)
    time.sleep(0.3)
    d, slack, why = pushed_then_synced(140, drift)
    corr = d.get("correction_ns", 0)
    if why:
        skip("auto mode steps 140 ms, about -140 ms", why)
    else:
        tap(d.get("action") == "step", "auto mode steps 140 ms (above 128 ms)", d)
        tap(abs(corr + 140 * MS) < slack, "step correction about -140 ms "
            "(%.3f ms, +- %.3f)" % (corr / MS, slack / MS))
    tap(abs(d.get("residual_ns", 1 << 62)) < TOLERANCE_NS,
        "residual after that step < 5 ms (%.3f ms)" % (d.get("residual_ns", 0) / MS))


def watch_syncs(count, deadline_s):
    """Run --watch --interval 1 until it has printed count syncs (a loaded
    host makes a round slower than the interval: the count is waited for,
    not a time), or deadline_s passed. Its sync events."""
    gc = os.environ["GUESTCTL"]
    p = subprocess.Popen([gc, "--json", "--unix", SOCK, "time", "sync", "--watch",
                          "--interval", "1", "--freq", "hold"],
                         stdout=subprocess.PIPE)
    syncs, buf = [], b""
    end = time.monotonic() + deadline_s
    fd = p.stdout.fileno()
    while len(syncs) < count and time.monotonic() < end:
        r, _, _ = select.select([fd], [], [], 0.2)
        chunk = os.read(fd, 65536) if r else b""
        if r and not chunk:
            break  # guestctl ended
        buf += chunk
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            d = json.loads(line) if line.startswith(b"{") else {}
            if d.get("event") == "sync":
                syncs.append(d)
    p.terminate()
    p.communicate(timeout=10)
    return syncs


def watch_case():
    """--watch --interval 1: a sync at start, then one per interval, each
    with its residual measured right after."""
    syncs = watch_syncs(3, 30)
    ok = (len(syncs) >= 3 and syncs[0].get("reason") == "start" and
          syncs[1].get("reason") == "interval" and
          [s.get("sync_number") for s in syncs] == list(range(1, len(syncs) + 1)) and
          all(abs(s.get("residual_ns", 1 << 62)) < TOLERANCE_NS for s in syncs))
    tap(ok, "--watch: a sync at start, then one per interval, each residual "
        "< 5 ms (%s ms)" % ", ".join("%.3f" % (s.get("residual_ns", 0) / MS)
                                     for s in syncs), syncs)


def main():
    hour_sync = json.loads(sys.argv[1])
    hour_sync.update(host_clocks())
    natural, bound, a, b = drift_line("TCG guest clock drift after the step "
                                      "(no correction in force)")
    if natural is None:
        skip("residual measured again", bound)
    else:
        residual_again(hour_sync, natural, a, b)

    d = guestctl(SOCK, "time", "sync")
    note("a learning sync: %s, %+.3f ppm in force (%s)" % (
        d.get("freq_verdict"), d.get("freq_ppb", 0) / 1e3, d.get("freq_state")))
    tap(d.get("ok") and d.get("freq_state") in ("learning", "tracking", "off"),
        "a sync with --freq learn (the default) answers its frequency state", d)
    drift, bound, _, _ = drift_line("drift with guestd's correction in force")
    if drift is None:
        skip("the slew and step cases", bound)
        return
    slew_case(drift)
    time.sleep(0.3)
    step_cases(drift)
    time.sleep(0.3)
    watch_case()


main()
