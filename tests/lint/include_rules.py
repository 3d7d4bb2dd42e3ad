#!/usr/bin/env python3
"""make lint's include rules: which folder may include which.

Usage: include_rules.py AREA=SEEN,SEEN...:HEADER [AREA=...]

Each AREA=... names an agent/<area> folder, the areas it may see besides
itself and libmini (the Makefile's SEES_<area>) and its one header for
the other areas (HEADER_<area>). The rules:
  - libmini/ includes only libmini headers;
  - host/ includes host and libmini headers;
  - a file in agent/<area> includes, directly or through the headers it
    includes, only headers of libmini, its own area and the areas it sees;
  - of another area it includes that area's header only: the others are
    the area's own (as BearSSL's inner.h);
  - a .c file that calls a function or uses a constant another area's
    header declares includes that header itself, so that its includes say
    what it depends on (core's agent.h, which every area sees, excepted).
A quoted include that names no header of the tree is an error too. Prints
one line per arrow the wrong way and exits 1 if there was any.
"""
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
DECLARED = re.compile(r'^(?:static inline )?(?!static\b)[A-Za-z][^;{}()#]*?'
                      r'\b(gd_\w+)\s*\(', re.M)
DEFINED = re.compile(r'^#\s*define\s+(GD_\w+)', re.M)
COMMENT = re.compile(r'/\*.*?\*/', re.S)


def declared_in(path):
    """The functions and constants the header at path declares."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    names = set(DECLARED.findall(text)) | set(DEFINED.findall(text))
    return {n for n in names if not n.endswith("_H")}


def unnamed_uses(sees, public, bad):
    """Files that use another area's header without including it."""
    names = {a: declared_in(os.path.join("agent", a, public[a]))
             for a in sees if a != "core"}
    for area in sorted(sees):
        folder = os.path.join("agent", area)
        for f in sorted(os.listdir(folder)):
            if not f.endswith(".c"):
                continue
            path = os.path.join(folder, f)
            with open(path, encoding="utf-8") as fh:
                text = fh.read()
            direct = set(INCLUDE.findall(text))
            words = set(re.findall(r"\b[A-Za-z_]\w*", COMMENT.sub("", text)))
            for other in sorted(names):
                used = sorted(names[other] & words)
                if other != area and used and public[other] not in direct:
                    bad.append(f"{path}: uses {', '.join(used[:3])} of "
                               f"agent/{other} without including "
                               f"{public[other]} itself")


def headers_in(folder):
    return {f: os.path.join(folder, f) for f in os.listdir(folder)
            if f.endswith(".h")}


def main(argv):
    sees, public = {}, {}
    for arg in argv:
        area, _, rest = arg.partition("=")
        seen, _, header = rest.partition(":")
        sees[area] = {a for a in seen.split(",") if a}
        public[area] = header
    libmini = headers_in("libmini")
    host = headers_in("host")
    where = {}  # header name -> its agent area
    for area in sees:
        for name in headers_in(os.path.join("agent", area)):
            if name in where or name in libmini:
                print(f"lint: {name} is in agent/{where.get(name, 'libmini')}"
                      f" and agent/{area}: a header name must be unique")
                return 1
            where[name] = area

    def includes(path):
        with open(path, encoding="utf-8") as f:
            return INCLUDE.findall(f.read())

    def check(path, kind, area, bad):
        """Follow path's quoted includes; report those kind may not see."""
        seen, todo = set(), [(path, [])]
        while todo:
            cur, chain = todo.pop()
            if cur in seen:
                continue
            seen.add(cur)
            for name in includes(cur):
                via = chain + [name]
                if name in libmini:
                    todo.append((libmini[name], via))
                    continue
                if kind == "libmini":
                    bad.append(f"{path}: includes {' -> '.join(via)}, not "
                               "libmini's: libmini sees only libmini")
                elif kind == "host":
                    if name in host:
                        todo.append((host[name], via))
                    else:
                        bad.append(f"{path}: includes {' -> '.join(via)}: "
                                   "host/ sees only host and libmini")
                elif name in where:
                    other = where[name]
                    if (not chain and other != area and other in sees[area]
                            and name != public[other]):
                        bad.append(
                            f"{path}: includes {name}, agent/{other}'s own "
                            f"header: other areas include {public[other]}")
                    if other != area and other not in sees[area]:
                        bad.append(
                            f"{path}: includes {' -> '.join(via)} "
                            f"(agent/{other}): agent/{area} may not see "
                            f"agent/{other} (it sees: "
                            f"{' '.join(sorted(sees[area])) or 'nothing'})")
                    else:
                        todo.append((os.path.join("agent", other, name), via))
                else:
                    bad.append(f"{path}: includes {' -> '.join(via)}, "
                               "which is no header of the tree")

    bad = []
    for kind, folder in (("libmini", "libmini"), ("host", "host")):
        for f in sorted(os.listdir(folder)):
            if f.endswith((".c", ".h")):
                check(os.path.join(folder, f), kind, None, bad)
    for area in sorted(sees):
        folder = os.path.join("agent", area)
        for f in sorted(os.listdir(folder)):
            if f.endswith((".c", ".h")):
                check(os.path.join(folder, f), "agent", area, bad)
    unnamed_uses(sees, public, bad)
    strays = [f for f in os.listdir("agent") if f.endswith((".c", ".h"))]
    for f in strays:
        bad.append(f"agent/{f}: every agent file belongs in an area folder")
    for line in bad:
        print(line)
    if bad:
        print(f"lint: {len(bad)} include(s) against the rules "
              "(Makefile SEES_*, docs/architecture.md)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
