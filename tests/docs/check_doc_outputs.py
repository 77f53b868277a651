#!/usr/bin/env python3
"""The outputs the docs show are the outputs the code prints.

usage: check_doc_outputs.py SOURCE_ROOT

Every ```python block of docs/*.md right after the line
<!-- docs-check: python-real-data --> is run on the real data set (the
string "hetrec2011-lastfm-2k" in it becomes $LASTREC_DATA), and its
full-line comments are the output it must print, in order:

- "0.2065…": a number, printed with more digits, rounded to those shown;
- a line ending in "…" (or only "…"): the output goes on, on that line
  or on lines not shown, up to the next line shown.

Needs the binding importable (PYTHONPATH, LASTREC_LIBRARY: Meson's test
environment sets both).  Exit 0 pass, 1 fail, 77 skip without LASTREC_DATA.
"""
import glob
import os
import re
import subprocess
import sys

MARK = "<!-- docs-check: python-real-data -->"
SKIP = 77


def marked_blocks(path):
    """(line number, code) of each marked python block of a Markdown file."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    out = []
    for i, line in enumerate(lines):
        if line.strip() != MARK:
            continue
        j = i + 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        if j == len(lines) or lines[j].strip() != "```python":
            raise SystemExit(f"{path}:{i + 1}: {MARK} is not followed by a ```python block")
        end = next(k for k in range(j + 1, len(lines)) if lines[k].strip() == "```")
        out.append((j + 2, lines[j + 1:end]))
    return out


def expected_lines(code):
    """(line offset, expected text) of the block's full-line comments."""
    return [(n, line.strip()[2:] if line.strip() != "#" else "")
            for n, line in enumerate(code) if line.strip().startswith("#")]


NUMBER = re.compile(r"(-?\d+\.(\d+))…")


def line_matches(want, got, prefix):
    """Whether a printed line is what the docs show: numbers written "0.2065…"
    are the printed ones rounded; with prefix, the printed line may go on."""
    pattern, checks, pos = "", [], 0
    for m in NUMBER.finditer(want):
        pattern += re.escape(want[pos:m.start()]) + r"(-?\d+\.\d+(?:e-?\d+)?)"
        checks.append((m.group(1), len(m.group(2))))
        pos = m.end()
    pattern += re.escape(want[pos:]) + ("(?: .*)?" if prefix else "")
    m = re.fullmatch(pattern, got)
    return bool(m) and all(f"{float(m.group(i + 1)):.{digits}f}" == shown
                           for i, (shown, digits) in enumerate(checks))


def compare(expected, printed):
    """(line offset, what is wrong) for the first mismatch, or None.  A shown
    line ending in "…" lets the output go on: that line may be longer, and
    printed lines may be skipped before the next shown one."""
    i, skipping = 0, False
    for n, want in expected:
        more = want.endswith("…")
        text = want[:-1].rstrip() if more else want
        if text:
            if skipping:
                while i < len(printed) and not line_matches(text, printed[i], more):
                    i += 1
            if i == len(printed):
                return n, f"shows {want!r}, which the code does not print"
            if not line_matches(text, printed[i], more):
                return n, f"shows {want!r}, the code prints {printed[i]!r}"
            i += 1
        skipping = more
    if i < len(printed) and not skipping:
        return expected[-1][0] if expected else 0, \
            f"the code prints more than is shown: {printed[i]!r}"
    return None


def self_check():
    """The comparison catches stale figures; run before anything else, so
    it is checked even where the real data is absent."""
    printed = ["Metrics(precision=0.20647558386411946, users=1884)",
               "Timbaland 0.32729411125183105 Rnb ['Justin Timberlake']",
               "Usher 0.3070135712623596 Rnb ['Chris Brown']",
               "Lil Wayne 0.7775949835777283"]
    good = [(1, "Metrics(precision=0.2065…, users=1884)"),
            (2, "Timbaland 0.327… Rnb ['Justin Timberlake'] …")]
    cases = [(good, None),
             ([(1, "Metrics(precision=0.19…, users=1884)")] + good[1:], 1),    # stale
             ([(1, "Metrics(precision=0.2064…, users=1884)")] + good[1:], 1),  # not rounded
             ([good[0], (2, "Usher 0.46 Rnb ['Chris Brown'] …")], 2),          # skipped ahead
             ([good[0], (2, "Timbaland 0.327… Rnb ['Justin Timberlake']")], 2),  # more printed
             (good + [(3, "…"), (4, "Kanye West 1.0")], 4)]                    # not printed
    for expected, want in cases:
        got = compare(expected, printed)
        if (got and got[0]) != want:
            return f"self-check: {expected} gave {got}, want a mismatch at {want}"
    return None


def main(argv):
    if len(argv) != 2:
        sys.exit(__doc__)
    broken = self_check()
    if broken:
        print(f"FAIL: {broken}")
        return 1
    data = os.environ.get("LASTREC_DATA")
    if not data:
        print("SKIP: LASTREC_DATA is unset; the docs' real-data outputs were not checked")
        return SKIP
    problems, checked = [], 0
    for path in sorted(glob.glob(os.path.join(argv[1], "docs", "*.md"))):
        name = os.path.relpath(path, argv[1])
        for first, code in marked_blocks(path):
            source = "\n".join(code).replace('"hetrec2011-lastfm-2k"', repr(data))
            p = subprocess.run([sys.executable, "-c", source], capture_output=True, text=True,
                               stdin=subprocess.DEVNULL)
            if p.returncode != 0:
                problems.append(f"{name}:{first}: the block fails:\n{p.stderr}")
                continue
            printed = p.stdout.rstrip("\n").split("\n")
            bad = compare(expected_lines(code), printed)
            if bad:
                problems.append(f"{name}:{first + bad[0]}: {bad[1]}\n--- printed:\n{p.stdout}")
            checked += 1
    if not checked and not problems:
        problems.append(f"no block marked {MARK} in docs/*.md")
    for p in problems:
        print(f"FAIL: {p}")
    if problems:
        return 1
    print(f"PASS: {checked} documented output block(s) match a real run")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
