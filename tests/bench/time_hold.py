"""make bench: how well guestd holds a drifting guest clock between syncs.

Usage: time_hold.py SOCK WATCH_S INTERVAL_S HOLD_S   (GUESTCTL set)

On one guest: the offset HOLD_S after a sync with no frequency correction
(--freq reset: the offset alone, which is what qemu-ga's guest-set-time
does), then the offset HOLD_S after the last sync of WATCH_S of `time sync
--watch --interval INTERVAL_S` with the discipline learning. Every sync
steps, so what the hold shows is the frequency's doing, not the rest of a
slew (auto mode slews up to 128 ms at the kernel's 500 ppm). Prints
"WITH_MS WITHOUT_MS DRIFT_PPM LEARNED_PPM", absolute offsets; "jump WHY"
when a clock jumped during a hold (the host paused), which is no result.
"""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from timelab import MS, S, elapsed, guestctl, host_clocks, jump, measure  # noqa: E402


def hold(sock, last, hold_s):
    """The offset hold_s after the sync `last`, with a witness halfway;
    (offset_ns, drift_ppm) or raises on a jump."""
    base = dict(last, offset_ns=last["residual_ns"])
    time.sleep(hold_s / 2)
    mid = measure(sock)
    time.sleep(max(0, hold_s - elapsed(base, mid) / S))
    end = measure(sock)
    why = jump(base, mid, end)
    if why:
        raise RuntimeError(why)
    drift = (end["offset_ns"] - base["offset_ns"]) / elapsed(base, end) * 1e6
    return end["offset_ns"], drift


def watch(sock, watch_s, interval_s):
    p = subprocess.Popen([os.environ["GUESTCTL"], "--json", "--unix", sock, "time",
                          "sync", "--mode", "step", "--watch", "--interval",
                          str(interval_s)],
                         stdout=subprocess.PIPE, text=True)
    last, t0 = None, time.monotonic()
    try:
        for line in p.stdout:
            d = json.loads(line)
            if d.get("event") == "sync":
                d.update(host_clocks())
                last = d
            if time.monotonic() - t0 >= watch_s - 0.5:
                break
    finally:
        p.terminate()
        p.wait(10)
    if not last or not last.get("ok"):
        raise RuntimeError("the watch ended without a sync: %s" % last)
    return last


def main(sock, watch_s, interval_s, hold_s):
    s = guestctl(sock, "time", "sync", "--mode", "step", "--freq", "reset")
    s.update(host_clocks())
    without, drift = hold(sock, s, hold_s)
    last = watch(sock, watch_s, interval_s)
    with_disc, _ = hold(sock, last, hold_s)
    print("%.3f %.3f %.1f %.3f" % (abs(with_disc) / MS, abs(without) / MS, drift,
                                   last.get("freq_ppb", 0) / 1e3))


if __name__ == "__main__":
    try:
        main(sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]))
    except RuntimeError as e:
        print("jump %s" % e)
