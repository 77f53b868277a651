#!/usr/bin/env python3
"""The built library against the committed ABI baseline
(tests/abi/liblastrec.abi, written by scripts/abi-baseline):

- abidiff finds no incompatible change (exit bit 8) and, additions aside,
  no change at all (bit 4: a public signature never changes, STYLE.md V2);
- every symbol the baseline has keeps its version node;
- every symbol the baseline lacks sits in a version node the baseline
  lacks (a new LASTREC_x.y node in lib/lastrec.sym, STYLE.md V3).

usage: check_abi.py BASELINE LIBRARY HEADERS_DIR
Skips (77) without abidiff or without debug information in LIBRARY (a
release build): abidiff compares types, which only -g records.
"""
import os
import re
import shutil
import subprocess
import sys

# the library's {symbol: version}, read the way the symbol test reads it
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_symbols import exported  # noqa: E402


def baseline_symbols(path):
    """{symbol: version} of the baseline's exported functions and variables."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    syms = {}
    for m in re.finditer(r"<elf-symbol ([^>]*)/>", text):
        attrs = dict(re.findall(r"(\S+)='([^']*)'", m.group(1)))
        if attrs.get("is-defined") == "yes" and "name" in attrs:
            syms[attrs["name"]] = attrs.get("version", "")
    return syms


def has_debug_info(lib):
    out = subprocess.run(["readelf", "-S", "-W", lib], check=True,
                         capture_output=True, text=True).stdout
    return ".debug_info" in out


def abidiff(baseline, lib, headers, *extra):
    cmd = ["abidiff", "--headers-dir2", headers, "--drop-private-types",
           "--fail-no-debug-info", *extra, baseline, lib]
    r = subprocess.run(cmd, capture_output=True, text=True)
    return r.returncode, r.stdout + r.stderr


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    baseline, lib, headers = sys.argv[1:]
    for tool in ("abidiff", "nm", "readelf"):
        if not shutil.which(tool):
            print(f"SKIP: {tool} is not installed (Debian: abigail-tools, binutils; "
                  "scripts/install-deps installs them)")
            return 77
    if not has_debug_info(lib):
        print(f"SKIP: {lib} has no debug information (a release build); "
              "abidiff needs -g: use a debug or debugoptimized build")
        return 77

    failed = False
    rc, report = abidiff(baseline, lib, headers)
    if rc & 3:
        print(f"abidiff failed to run (exit {rc}):\n{report}")
        return 1
    if rc & 8:
        print(f"incompatible ABI change against {baseline}:\n{report}")
        failed = True
    elif rc & 4:
        # Additions alone are allowed (checked below); anything else is a
        # change to what a compiled program already relies on.
        rc2, report2 = abidiff(baseline, lib, headers, "--no-added-syms")
        if rc2 & 3:
            print(f"abidiff failed to run (exit {rc2}):\n{report2}")
            return 1
        if rc2 & 12:
            print(f"ABI change beyond additions against {baseline}:\n{report2}")
            failed = True
        else:
            print(f"additions against {baseline}:\n{report}")

    old = baseline_symbols(baseline)
    new = exported(lib)
    if not old:
        print(f"{baseline}: no symbol found (not an abidw dump?)")
        return 1
    old_nodes = set(old.values())
    for name in sorted(old):
        if name in new and new[name] != old[name]:
            print(f"{name}: version node {new[name]}, was {old[name]}: "
                  "a symbol never moves to another node")
            failed = True
    for name in sorted(set(new) - set(old)):
        if new[name] in old_nodes:
            print(f"{name} is new but in {new[name]}, a node the baseline already "
                  f"has: add it under a new node in lib/lastrec.sym "
                  f"(or, if that node is not released yet, run scripts/abi-baseline)")
            failed = True
    if failed:
        print("docs/reliability.md, \"ABI\", says what to do")
        return 1
    print(f"{len(new)} symbols, {len(set(new) - set(old))} added since the baseline; "
          "no incompatible change")
    return 0


if __name__ == "__main__":
    sys.exit(main())
