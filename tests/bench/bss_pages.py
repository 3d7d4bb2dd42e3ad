#!/usr/bin/env python3
"""bss_pages.py PID BINARY [MIN_KIB]: which pages of a running binary's
bss a process has touched, per table (nm on the unstripped binary gives
the tables). A page counts when /proc/PID/pagemap says it is present and,
where /proc/kpageflags can be read (root), it is not the shared zero page
that a read of untouched memory maps (VmRSS does not count that either).
Prints one line per bss symbol of at least MIN_KIB (default 4) KiB,
biggest first: 'NAME SIZE_KIB TOUCHED_KIB' (a page two tables share
counts for both), then 'total BSS_KIB TOUCHED_KIB' for the section."""
import os, subprocess, sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
from pagemap import PAGE, load_base, plain, present  # noqa: E402 (tests/lib)


def main():
    pid, binary = int(sys.argv[1]), sys.argv[2]
    min_kib = float(sys.argv[3]) if len(sys.argv) > 3 else 4
    syms = []
    nm = subprocess.run(["nm", "-S", "--size-sort", binary], capture_output=True,
                        text=True, check=True).stdout
    for line in nm.splitlines():
        p = line.split()
        if len(p) == 4 and p[2] in "bB":
            syms.append((int(p[0], 16), int(p[1], 16), plain(p[3])))
    sec = subprocess.run(["readelf", "-SW", binary], capture_output=True, text=True,
                         check=True).stdout
    bss = None
    for line in sec.splitlines():
        p = line.replace("[ ", "[").split()
        if len(p) > 5 and p[1] == ".bss":
            bss = (int(p[3], 16), int(p[3], 16) + int(p[5], 16))
    base = load_base(pid, binary)  # the sanitizer build is position-independent
    bss = (bss[0] + base, bss[1] + base)
    syms = [(a + base, size, name) for a, size, name in syms]
    pages = {pg // PAGE for pg in present(pid)
             if bss[0] // PAGE * PAGE <= pg < bss[1]}
    big = sorted((s for s in syms if s[1] >= min_kib * 1024), key=lambda s: -s[1])
    for addr, size, name in big:
        n = sum(1 for pg in range(addr // PAGE, (addr + size - 1) // PAGE + 1) if pg in pages)
        print("%s %.1f %d" % (name, size / 1024, n * PAGE // 1024))
    print("total %.1f %d" % ((bss[1] - bss[0]) / 1024, len(pages) * PAGE // 1024))


main()
