#!/usr/bin/env python3
"""size_areas.py MAP: the bytes each area of guestd puts in the binary,
from the GNU ld link map (-Wl,-Map): every input section kept in an
output section that is loaded from the file (.text, .rodata, .data and
the like; not .bss), summed by the object it came from. Prints one line
per area, 'AREA KIB', in a fixed order; the stripped file adds headers
and alignment to their sum. Areas (by source file, see AREAS below):
wire, qga, kv, time, init, auth, base (config, logging, main), libc."""
import os
import re
import sys

# (area, basename prefixes of agent/ and libmini/ objects). First match wins.
AREAS = [
    ("qga", ("qga", "jsonframe", "json_out", "base64", "blkaddr", "blkdev",
             "exec_", "fsfreeze", "fsplan", "utmp", "netaddr")),
    ("kv", ("kv", "svc_kv")),
    ("time", ("time_", "svc_time", "clock_set", "rtc", "vmgenid", "timesync",
              "freqdisc", "clockwatch", "tzinfo", "acpi_vmgenid")),
    ("init", ("pid1", "proto_pid1", "reaper", "shutdown", "svc_shutdown",
              "spawn", "workload", "initsys", "initctl", "mounts", "modules",
              "power_button", "descendants", "sigtable", "personality",
              "uevent", "moddep", "procscan", "procstat", "sigmap", "signame",
              "envset", "argsplit", "acpi_event", "mountinfo", "dirscan")),
    ("auth", ("auth", "hmac", "keyfile", "entropy_kick", "peer_gate",
              "refusal_log", "peer.", "peerstats", "slots")),
    ("base", ("main", "config", "log", "fortify_musl", "osrelease",
              "sysinfo", "idfile", "hvguid", "utf8", "notify")),
    ("wire", ("",)),  # the rest of agent/ and libmini/: transports, codec
]
ORDER = ["wire", "qga", "kv", "time", "init", "auth", "base", "libc"]
LOADED = re.compile(r"^\.(text|rodata|data|init|fini|init_array|fini_array|"
                    r"data\.rel\.ro|eh_frame|tdata|got|got\.plt)\b")


def area_of(path):
    if "libbearssl" in path:
        return "auth"
    if "/agent/" not in path and "/libmini/" not in path:
        return "libc"  # musl's libc.a and its start files, gcc's crt files
    base = os.path.basename(path)
    for area, prefixes in AREAS:
        if any(base.startswith(p) for p in prefixes):
            return area
    return "wire"


def main():
    sums = dict.fromkeys(ORDER, 0)
    out_loaded = False
    pending = None  # an input section name on a line of its own
    started = False
    for line in open(sys.argv[1]):
        if not started:
            started = line.startswith("Linker script and memory map")
            continue
        if line and not line[0].isspace():
            out_loaded = bool(LOADED.match(line)) and not line.startswith(".tbss")
            pending = None
            continue
        if not out_loaded:
            continue
        f = line.split()
        if len(f) == 1 and f[0].startswith("."):
            pending = f[0]
            continue
        if pending and len(f) >= 3 and f[0].startswith("0x"):
            size, path = f[1], f[2]
        elif len(f) >= 4 and f[0].startswith(".") and f[1].startswith("0x"):
            size, path = f[2], f[3]
        else:
            pending = None
            continue
        pending = None
        if size.startswith("0x") and (path.endswith(".o") or path.endswith(")")):
            sums[area_of(path)] += int(size, 16)
    for a in ORDER:
        print("%s %.1f" % (a, sums[a] / 1024))


main()
