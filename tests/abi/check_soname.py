#!/usr/bin/env python3
"""The shared library's SONAME is liblastrec.so.1 and the build made the
liblastrec.so.1 link to it that the dynamic loader will look for.

usage: check_soname.py LIBRARY
"""
import os
import re
import shutil
import subprocess
import sys

WANT = "liblastrec.so.1"


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    if not shutil.which("readelf"):
        print("SKIP: readelf (binutils) is not installed")
        return 77
    lib = sys.argv[1]
    out = subprocess.run(["readelf", "-d", lib], check=True,
                         capture_output=True, text=True).stdout
    m = re.search(r"\(SONAME\)\s+Library soname: \[(.*?)\]", out)
    if not m:
        print(f"{lib}: no SONAME")
        return 1
    if m.group(1) != WANT:
        print(f"{lib}: SONAME is {m.group(1)}, want {WANT}")
        return 1
    link = os.path.join(os.path.dirname(lib), WANT)
    if os.path.realpath(link) != os.path.realpath(lib):
        print(f"{link} does not lead to {lib}")
        return 1
    print(f"SONAME {WANT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
