"""Which of a process's writable pages are resident, and what they hold.

guestd allocates nothing: its resident set grows only as pages of its
static buffers (and its stack) are first touched. When a test sees VmRSS
grow, present() before and after, then named() of the difference, says
which buffer grew: a slot's decoder, an output queue, the stack. Reading
/proc/PID/pagemap's present bit needs only the right to ptrace PID
(root, or the same uid). A page only read so far maps the kernel's one
zero page and costs no RSS: as root, /proc/kpageflags tells those apart
and present() leaves them out; without it they are counted too.
"""
import bisect
import os
import struct
import subprocess

PAGE = 4096
MAP_MAX = 64 << 20  # larger mappings (ASan's shadow) are not looked at
PFN_MASK = (1 << 55) - 1
KPF_ZERO_PAGE = 1 << 24


def _zero_page(pfn):
    """Whether frame pfn is the shared zero page (False if unknown)."""
    try:
        with open("/proc/kpageflags", "rb") as kf:
            kf.seek(pfn * 8)
            (flags,) = struct.unpack("<Q", kf.read(8))
    except (OSError, struct.error):
        return False
    return bool(flags & KPF_ZERO_PAGE)


def present(pid):
    """The addresses of pid's resident pages in its writable mappings of
    at most MAP_MAX bytes."""
    pages, zero_pfn = set(), None
    with open("/proc/%s/pagemap" % pid, "rb") as pm:
        for line in open("/proc/%s/maps" % pid):
            fields = line.split()
            if "w" not in fields[1]:
                continue
            lo, hi = (int(x, 16) for x in fields[0].split("-"))
            if hi - lo > MAP_MAX:
                continue
            pm.seek(lo // PAGE * 8)
            data = pm.read((hi - lo) // PAGE * 8)
            for i in range(len(data) // 8):
                (entry,) = struct.unpack_from("<Q", data, i * 8)
                if not entry >> 63:
                    continue
                pfn = entry & PFN_MASK
                if zero_pfn is None and pfn and _zero_page(pfn):
                    zero_pfn = pfn
                if pfn != zero_pfn:
                    pages.add(lo + i * PAGE)
    return pages


def plain(name):
    """A symbol's name in the source: an LTO link may rename a file-scope
    static it moved between partitions (conn_bufs.lto_priv.0)."""
    return name.split(".lto_priv.")[0]


def load_base(pid, binary):
    """Where pid loaded binary: 0 for a static one, else (ET_DYN: the
    sanitizer build) the start of its first mapping of the file."""
    with open(binary, "rb") as f:
        f.seek(16)
        if f.read(2) != b"\x03\x00":
            return 0
    real = os.path.realpath(binary)
    for line in open("/proc/%s/maps" % pid):
        fields = line.split()
        if len(fields) >= 6 and fields[5] == real:
            return int(fields[0].split("-")[0], 16)
    return 0


def symbols(binary, base=0):
    """(address, size, name) of binary's sized symbols, by address, with
    base (load_base) added."""
    out = subprocess.run(["nm", "-n", "-S", binary], capture_output=True,
                         text=True).stdout
    syms = []
    for line in out.splitlines():
        f = line.split()
        if len(f) == 4:
            syms.append((int(f[0], 16) + base, int(f[1], 16), plain(f[3])))
    return sorted(syms)


def named(pages, binary, base=0):
    """One line per page: its address and the symbol(s) it lies in, with
    the page's offset into each ('conn_bufs+368640'), or '?' (the stack,
    libc's own data)."""
    syms = symbols(binary, base)
    starts = [s[0] for s in syms]
    lines = []
    for page in sorted(pages):
        names = []
        i = max(bisect.bisect_right(starts, page) - 1, 0)
        while i < len(syms) and syms[i][0] < page + PAGE:
            start, size, name = syms[i]
            if start + size > page:
                names.append("%s+%d" % (name, max(page - start, 0)))
            i += 1
        lines.append("%#x %s" % (page, " ".join(names) or "?"))
    return lines
