#!/usr/bin/env python3
"""Exported symbols of the shared library == the global list of the version
script, every one public (lr_, not lr__) and versioned with the node that
lists it; each node alphabetical, so a diff of the map shows what a release
added.

usage: check_symbols.py LIBRARY VERSION_SCRIPT
"""
import re
import shutil
import subprocess
import sys


def map_nodes(path):
    """{node: [symbols in file order]} from the global: parts of a map."""
    with open(path, encoding="utf-8") as f:
        text = re.sub(r"/\*.*?\*/", "", f.read(), flags=re.S)
    text = re.sub(r"#[^\n]*", "", text)
    nodes = {}
    for m in re.finditer(r"([\w.]+)\s*\{(.*?)\}\s*[\w.]*\s*;", text, flags=re.S):
        g = re.search(r"global:(.*?)(?:local:|$)", m.group(2), flags=re.S)
        syms = [s.strip() for s in g.group(1).split(";")] if g else []
        nodes[m.group(1)] = [s for s in syms if s]
    return nodes


def exported(lib):
    """{symbol: version} of the defined dynamic code and data symbols."""
    out = subprocess.run(["nm", "-D", "--defined-only", lib], check=True,
                         capture_output=True, text=True).stdout
    syms = {}
    for line in out.splitlines():
        parts = line.split()
        # Lower-case types are local, A is the version node itself; i and u
        # are GNU's global indirect and unique symbols.
        if len(parts) < 3 or parts[1] not in {"T", "D", "B", "R", "V", "W", "i", "u"}:
            continue
        name, _, version = parts[2].partition("@")
        syms[name] = version.lstrip("@")
    return syms


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    if not shutil.which("nm"):
        print("SKIP: nm (binutils) is not installed")
        return 77
    lib, symfile = sys.argv[1:]
    nodes = map_nodes(symfile)
    listed = {s: node for node, syms in nodes.items() for s in syms}
    got = exported(lib)
    problems = []
    for s in sorted(set(got) - set(listed)):
        problems.append(f"exported but not in {symfile}: {s}")
    for s in sorted(set(listed) - set(got)):
        problems.append(f"in {symfile} but not exported: {s}")
    for s in sorted(got):
        if not s.startswith("lr_") or s.startswith("lr__"):
            problems.append(f"not a public lr_ name: {s}")
        if s in listed and got[s] != listed[s]:
            problems.append(f"{s} has version '{got[s]}', the map puts it in {listed[s]}")
    for node, syms in nodes.items():
        if syms != sorted(syms):
            problems.append(f"node {node} is not in alphabetical order")
        if len(syms) != len(set(syms)):
            problems.append(f"node {node} lists a symbol twice")
    for p in problems:
        print(p)
    print(f"{len(got)} symbols exported, {len(listed)} listed, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
