#!/usr/bin/env python3
"""Run a fuzz target once over every kept input of it: tests/fuzz/seeds/
NAME/ (hand-made, real-shaped) and tests/fuzz/regress/NAME/ (inputs that
once crashed it).  Works for both builds of a target: with libFuzzer
(-runs=0 runs the given corpus and stops) and with tests/fuzz/driver.c.

usage: run_regress.py TARGET SOURCE_DIR NAME
"""
import os
import subprocess
import sys


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    target, src, name = sys.argv[1:]
    dirs = [os.path.join(src, kind, name) for kind in ("seeds", "regress")]
    dirs = [d for d in dirs if os.path.isdir(d) and os.listdir(d)]
    if not dirs:
        print(f"SKIP: no kept input for {name} (tests/fuzz/seeds/{name}, "
              f"tests/fuzz/regress/{name})")
        return 77
    r = subprocess.run([target, "-runs=0", *dirs])
    if r.returncode != 0:
        print(f"{name}: exit {r.returncode} on a kept input")
    return r.returncode


if __name__ == "__main__":
    sys.exit(main())
