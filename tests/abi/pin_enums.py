#!/usr/bin/env python3
"""Public enum values are passed as int, so abidiff cannot see one change:
tests/abi/enum_values.c pins each with a _Static_assert, and this script
keeps that file complete.

usage: pin_enums.py check HEADER PINS   every enumerator of HEADER pinned
       pin_enums.py add HEADER PINS     append pins for new enumerators

`add` never rewrites an existing pin: a value once released never changes
(docs/reliability.md, "ABI").  scripts/abi-baseline runs it.
"""
import re
import sys

PIN = re.compile(r"_Static_assert\((\w+) == (-?\d+),")


def enumerators(header):
    """[(enum, name, value)] in header order, implicit values counted."""
    with open(header, encoding="utf-8") as f:
        text = f.read()
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    out = []
    for m in re.finditer(r"\benum\s+(\w+)\s*\{(.*?)\}", text, flags=re.S):
        value = -1
        for item in m.group(2).split(","):
            item = item.strip()
            if not item:
                continue
            name, _, expr = item.partition("=")
            name, expr = name.strip(), expr.strip()
            # Every public enumerator is a literal, or implicit; anything
            # else would need a compiler to evaluate.
            value = int(expr, 0) if expr else value + 1
            out.append((m.group(1), name, value))
    return out


def pins(path):
    try:
        with open(path, encoding="utf-8") as f:
            return {m.group(1): int(m.group(2)) for m in PIN.finditer(f.read())}
    except FileNotFoundError:
        return {}


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("check", "add"):
        sys.exit(__doc__)
    mode, header, path = sys.argv[1:]
    have = pins(path)
    found = enumerators(header)
    if not found:
        sys.exit(f"{header}: no enum found")
    missing = [e for e in found if e[1] not in have]
    changed = [(e, have[e[1]]) for e in found if e[1] in have and have[e[1]] != e[2]]
    for (enum, name, value), old in changed:
        print(f"{name} (enum {enum}) is {value} in {header} but pinned at {old}: "
              "a public value never changes", file=sys.stderr)
    gone = sorted(set(have) - {e[1] for e in found})
    for name in gone:
        print(f"{name} is pinned but no longer in {header}: a public name is "
              "never removed", file=sys.stderr)
    if mode == "check":
        for enum, name, value in missing:
            print(f"{name} (enum {enum}) = {value} is not pinned in {path}: run "
                  "scripts/abi-baseline (docs/reliability.md)", file=sys.stderr)
        if missing or changed or gone:
            return 1
        print(f"{len(found)} enumerators of {header} pinned")
        return 0
    if changed or gone:
        return 1
    if missing:
        with open(path, "a", encoding="utf-8") as f:
            enum = None
            for e, name, value in missing:
                if e != enum:
                    f.write(f"\n/* enum {e} */\n")
                    enum = e
                f.write(f'_Static_assert({name} == {value}, "{name} changed");\n')
        print(f"{len(missing)} new enumerators pinned in {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
