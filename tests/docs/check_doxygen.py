#!/usr/bin/env python3
"""Doxygen over the public header with every warning an error
(tests/docs/Doxyfile): an undocumented public symbol or a broken @param
fails.  Then the same run over a copy of the header with one undocumented
function added must fail and name it, so the test is known to bite.

usage: check_doxygen.py DOXYFILE HEADER
"""
import os
import shutil
import subprocess
import sys
import tempfile


def doxygen(doxyfile, header, out):
    with open(doxyfile, encoding="utf-8") as f:
        config = f.read()
    config += f"\nINPUT = {header}\nOUTPUT_DIRECTORY = {out}\n"
    r = subprocess.run(["doxygen", "-"], input=config, capture_output=True, text=True)
    return r.returncode, (r.stdout + r.stderr).strip()


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    doxyfile, header = sys.argv[1:]
    if not shutil.which("doxygen"):
        print("SKIP: doxygen is not installed (Debian: doxygen; scripts/install-deps "
              "installs it)")
        return 77
    with tempfile.TemporaryDirectory() as tmp:
        rc, out = doxygen(doxyfile, header, tmp)
        if rc != 0 or out:
            print(f"doxygen over {header} (exit {rc}):\n{out}")
            return 1
        probe = os.path.join(tmp, "lastrec.h")
        with open(header, encoding="utf-8") as f:
            text = f.read()
        with open(probe, "w", encoding="utf-8") as f:
            f.write(text + "\nLR_API int lr_doxygen_probe(int x);\n")
        rc, out = doxygen(doxyfile, probe, os.path.join(tmp, "probe"))
        if rc == 0 or "lr_doxygen_probe" not in out:
            print("an undocumented function did not fail the run "
                  f"(exit {rc}):\n{out}")
            return 1
    print(f"doxygen: {header} documented, no warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
