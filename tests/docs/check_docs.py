#!/usr/bin/env python3
"""Checks that the documentation a newcomer reads first is true.

usage: check_docs.py links   SOURCE_ROOT
       check_docs.py layout  SOURCE_ROOT BUILD_ROOT
       check_docs.py tour    SOURCE_ROOT BUILD_ROOT LASTREC_BINARY
       check_docs.py checker SOURCE_ROOT BUILD_ROOT LASTREC_BINARY

links    every relative link of README.md and docs/*.md, and every docs/
         reference of include/lastrec/lastrec.h, names a file of the
         repository, and every #anchor a heading of the file it points into
         (GitHub's rule for heading anchors).
layout   docs/layout.md's list of public functions defined outside lib/api/,
         and its counts, are what the built library's objects define.
tour     every command line of the README's tour ("## A short tour") runs
         and exits 0, from a scratch directory standing in for the
         repository's root.  Blocks marked <!-- docs-check: real-data -->
         run only when LASTREC_DATA is set.
checker  the two checks above fail, naming the fault, on a copy of the
         repository with broken links and a failing command planted in it.

Exit 0 pass, 1 fail.
"""
import glob
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import urllib.parse

REAL_DATA_MARK = "<!-- docs-check: real-data -->"
TOUR_HEADING = "## A short tour"

# References of the public header that are known to be broken and are being
# rewritten on another branch; they are reported as notes until then.  Each
# entry must still be present (a note says when one can be removed).
KNOWN_BROKEN = set()

# Commands of the tour this check does not run, and why.  Anything else in
# the tour is run.
NOT_RUN = {
    "meson": "the build and test run this check is itself part of",
    "ninja": "the build and test run this check is itself part of",
    "cc": "the install-pkgconfig test (tests/abi) compiles every example through pkg-config",
    "pkg-config": "the install-pkgconfig test (tests/abi) uses pkg-config on an installed copy",
    "./my_program": "built by a cc line, which is not run; install-prefix runs such a program",
    "man": "the man-page test checks the page against the tool, install-docs its installed copy",
    "cmake": "the install-cmake test (tests/abi) builds an example through find_package",
}


# ------------------------------------------------------------------ markdown

FENCE = re.compile(r"^\s*(```|~~~)")


def prose_lines(text):
    """(line number, line) of the text outside fenced code blocks."""
    inside = None
    for n, line in enumerate(text.split("\n"), start=1):
        m = FENCE.match(line)
        if m:
            if inside is None:
                inside = m.group(1)
            elif m.group(1) == inside:
                inside = None
            continue
        if inside is None:
            yield n, line


def strip_code_spans(line):
    """Inline code shows text, not links: `[a](b)` in backticks is not one."""
    return re.sub(r"(`+)(.+?)\1", lambda m: "`" + "x" * len(m.group(2)) + "`", line)


def slug(heading):
    """GitHub's anchor for a heading: the rendered text lower-cased, every
    character that is not a letter, digit, '_', '-' or space dropped, and
    spaces turned into '-'."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # links: their text
    text = re.sub(r"<[^>]+>", "", text)                           # inline HTML
    text = text.replace("`", "")
    text = re.sub(r"(\*\*|__|\*)", "", text)                      # emphasis marks
    text = text.strip().lower()
    text = "".join(c for c in text if c.isalnum() or c in "_- ")
    return text.replace(" ", "-")


def anchors(text):
    """Every anchor a Markdown file defines: heading slugs, numbered -1, -2,
    … when a heading repeats, as GitHub does, and explicit HTML ids."""
    seen = {}
    out = set()
    for _, line in prose_lines(text):
        m = re.match(r"^(#{1,6})\s+(.*?)\s*#*\s*$", line)
        if m:
            base = slug(m.group(2))
            n = seen.get(base, 0)
            seen[base] = n + 1
            out.add(base if n == 0 else f"{base}-{n}")
        for m in re.finditer(r"<a\s+(?:name|id)=\"([^\"]+)\"", line):
            out.add(m.group(1))
    return out


def headings(text):
    return [m.group(2) for _, line in prose_lines(text)
            for m in [re.match(r"^(#{1,6})\s+(.*?)\s*#*\s*$", line)] if m]


LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REF_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+\"[^\"]*\")?\s*$")


def markdown_links(text):
    """(line number, target) of every link and image of a Markdown text."""
    for n, line in prose_lines(text):
        line = strip_code_spans(line)
        for m in LINK.finditer(line):
            yield n, m.group(1)
        m = REF_DEF.match(line)
        if m:
            yield n, m.group(1)


# The header is read where it is installed, away from the tree, so its
# references name files by their path in the repository; a leading "../"
# (relative to include/) is accepted.  A reference may name a section as
# (docs/api.md, "Determinism").
HEADER_REF = re.compile(r"(?:\.\./)*(docs/[A-Za-z0-9_.-]*[A-Za-z0-9_])(#[\w-]+)?"
                        r"(?:,\s*\"([^\"]+)\")?")


def header_links(text):
    for n, line in enumerate(text.split("\n"), start=1):
        for m in HEADER_REF.finditer(line):
            yield n, m.group(1), m.group(2), m.group(3)


# --------------------------------------------------------------------- links


def link_sources(root):
    files = ["README.md"] + sorted(os.path.relpath(p, root)
                                   for p in glob.glob(os.path.join(root, "docs", "*.md")))
    return [f for f in files if os.path.isfile(os.path.join(root, f))]


def inside(root, path):
    root = os.path.realpath(root)
    return os.path.realpath(path) == root or os.path.realpath(path).startswith(root + os.sep)


def check_target(root, source, where, target, problems, anchor_cache):
    """One relative link of `source` (a path under root)."""
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target) or target.startswith("//"):
        return  # http:, https:, mailto: — not this check's business
    path, _, fragment = target.partition("#")
    path = urllib.parse.unquote(path)
    fragment = urllib.parse.unquote(fragment)
    dest = os.path.normpath(os.path.join(os.path.dirname(os.path.join(root, source)), path)) \
        if path else os.path.join(root, source)
    if not inside(root, dest):
        problems.append(f"{where}: {target}: points outside the repository")
        return
    if not os.path.exists(dest):
        problems.append(f"{where}: {target}: no such file in the repository")
        return
    if fragment and dest.endswith(".md"):
        if dest not in anchor_cache:
            with open(dest, encoding="utf-8") as f:
                anchor_cache[dest] = anchors(f.read())
        if fragment not in anchor_cache[dest]:
            problems.append(f"{where}: {target}: {os.path.relpath(dest, root)} has no "
                            f"heading with the anchor #{fragment}")


def check_links(root):
    """The list of broken links under root, and notes."""
    problems, notes, cache = [], [], {}
    checked = 0
    for source in link_sources(root):
        with open(os.path.join(root, source), encoding="utf-8") as f:
            text = f.read()
        for n, target in markdown_links(text):
            checked += 1
            check_target(root, source, f"{source}:{n}", target, problems, cache)
    header = "include/lastrec/lastrec.h"
    if os.path.isfile(os.path.join(root, header)):
        with open(os.path.join(root, header), encoding="utf-8") as f:
            text = f.read()
        known_seen = set()
        for n, path, fragment, section in header_links(text):
            checked += 1
            where = f"{header}:{n}"
            if (header, path) in KNOWN_BROKEN and not os.path.exists(os.path.join(root, path)):
                known_seen.add(path)
                notes.append(f"{where}: {path}: broken, known (KNOWN_BROKEN in {__file__})")
                continue
            before = len(problems)
            check_target(root, "README.md", where, path + (fragment or ""), problems, cache)
            if section and len(problems) == before:
                with open(os.path.join(root, path), encoding="utf-8") as f:
                    names = headings(f.read())
                if section not in names:
                    problems.append(f"{where}: {path}, \"{section}\": no such heading in {path}")
        for source, path in sorted(KNOWN_BROKEN):
            if source == header and path not in known_seen:
                notes.append(f"{header}: {path} is fixed; remove it from KNOWN_BROKEN")
    if checked < 20:
        problems.append(f"only {checked} links found: the parser has stopped seeing them")
    return problems, notes


# -------------------------------------------------------------------- layout


def defined_functions(build):
    """{source file: exported functions it defines}, from the objects of the
    shared library (lib/<layer>/<file>.c is compiled to <layer>_<file>.c.o)."""
    out = {}
    objects = glob.glob(os.path.join(build, "lib", "liblastrec.so*.p", "*.o"))
    for obj in objects:
        layer, _, name = os.path.basename(obj)[:-2].partition("_")
        p = subprocess.run(["nm", "--defined-only", obj], capture_output=True, text=True,
                           check=True)
        names = {f[2] for f in (line.split() for line in p.stdout.splitlines())
                 if len(f) == 3 and f[1] == "T" and re.match(r"^lr_[a-z]", f[2])}
        if names:
            out[f"lib/{layer}/{name}"] = names
    return out


def check_layout(source, build):
    with open(os.path.join(source, "docs", "layout.md"), encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"<!-- layout:outside-api:begin -->(.*?)<!-- layout:outside-api:end -->",
                  text, re.S)
    if not m:
        return ["docs/layout.md: the outside-api markers are missing"]
    shown = {}
    for item in re.split(r"\n- ", "\n" + m.group(1).strip()):
        head = re.match(r"\s*`(lib/[^`]+)`:", item)
        if head:
            shown[head.group(1)] = set(re.findall(r"`(lr_[a-z0-9_]+)`", item))
    actual = defined_functions(build)
    if not actual:
        return [f"no objects of the shared library under {build}/lib"]
    outside = {f: n for f, n in actual.items() if not f.startswith("lib/api/")}
    problems = []
    for f in sorted(set(shown) | set(outside)):
        extra, missing = shown.get(f, set()) - outside.get(f, set()), \
            outside.get(f, set()) - shown.get(f, set())
        if extra:
            problems.append(f"docs/layout.md lists {sorted(extra)} under {f}, which does not "
                            "define them")
        if missing:
            problems.append(f"{f} defines {sorted(missing)}, missing from docs/layout.md")
    total = sum(len(n) for n in actual.values())
    in_api = total - sum(len(n) for n in outside.values())
    counts = re.search(r"exports (\d+) functions.*?(\d+) are defined in `lib/api/`; these "
                       r"(\d+)", text, re.S)
    if not counts or tuple(map(int, counts.groups())) != (total, in_api, total - in_api):
        problems.append(f"docs/layout.md should say: exports {total} functions, {in_api} in "
                        f"lib/api/, {total - in_api} outside")
    return problems


# ---------------------------------------------------------------------- tour


def tour_blocks(readme):
    """(real_data_only, [(line number, command)]) of each sh block of the
    tour; continued lines joined, comment-only lines dropped."""
    lines = readme.split("\n")
    try:
        start = next(i for i, l in enumerate(lines) if l.strip() == TOUR_HEADING)
    except StopIteration:
        raise SystemExit(f"README.md has no '{TOUR_HEADING}' section")
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")),
               len(lines))
    blocks, i = [], start + 1
    while i < end:
        if re.match(r"^\s*```(sh|bash|shell)\s*$", lines[i]):
            prev = [l.strip() for l in lines[start:i] if l.strip()]
            real = bool(prev) and prev[-1] == REAL_DATA_MARK
            cmds, cur, first = [], "", None
            i += 1
            while i < end and not re.match(r"^\s*```\s*$", lines[i]):
                line = lines[i].rstrip()
                first = first or i + 1
                if line.endswith("\\"):
                    cur += line[:-1] + " "
                else:
                    cur += line
                    if cur.strip() and not cur.strip().startswith("#"):
                        cmds.append((first, cur.strip()))
                    cur, first = "", None
                i += 1
            blocks.append((real, cmds))
        i += 1
    return blocks


def program(cmd):
    """The program a command line runs: its first word after VAR=value."""
    try:
        words = shlex.split(cmd, comments=True)
    except ValueError:
        return cmd.split()[0]
    while words and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", words[0]):
        words.pop(0)
    return words[0] if words else ""


def scratch_root(source, build, tmp):
    """A directory that looks like the repository's root to the tour: its
    top-level entries are links into the source tree and `build` is the
    build tree, so commands write their outputs here, not into the tree."""
    root = os.path.join(tmp, "repo")
    os.mkdir(root)
    for name in os.listdir(source):
        if name == ".git" or build_dir_name(name) or \
                os.path.realpath(os.path.join(source, name)) == os.path.realpath(build):
            continue
        os.symlink(os.path.join(source, name), os.path.join(root, name))
    os.symlink(build, os.path.join(root, "build"))
    return root


def run_tour(source, build, tool, readme_path=None):
    """Run the tour; returns (problems, log lines)."""
    readme_path = readme_path or os.path.join(source, "README.md")
    with open(readme_path, encoding="utf-8") as f:
        blocks = tour_blocks(f.read())
    have_real = bool(os.environ.get("LASTREC_DATA"))
    problems, log, ran = [], [], 0
    with tempfile.TemporaryDirectory(prefix="lastrec-docs-tour-") as tmp:
        root = scratch_root(source, build, tmp)
        # /tmp/... in the README becomes a private directory, so parallel
        # runs never share files.
        private_tmp = os.path.join(tmp, "tmp")
        os.mkdir(private_tmp)
        script = ["run() {",
                  "  printf '$ %s\\n' \"$1\"",
                  "  eval \"$1\"",
                  "  rc=$?",
                  "  if [ $rc -ne 0 ]; then printf 'README.md:%s: exit %d: %s\\n' \"$2\" $rc \"$1\" >&2; exit 1; fi",
                  "}"]
        for real, cmds in blocks:
            for n, cmd in cmds:
                prog = program(cmd)
                if real and not have_real:
                    log.append(f"README.md:{n}: not run (real data only; LASTREC_DATA is unset): "
                               f"{cmd}")
                elif prog in NOT_RUN:
                    log.append(f"README.md:{n}: not run here ({NOT_RUN[prog]}): {cmd}")
                else:
                    cmd = cmd.replace("/tmp/", private_tmp + "/")
                    script.append(f"run {shlex.quote(cmd)} {n}")
                    ran += 1
        env = dict(os.environ)
        env["PATH"] = os.path.dirname(os.path.abspath(tool)) + os.pathsep + env.get("PATH", "")
        p = subprocess.run(["bash", "-c", "\n".join(script)], cwd=root, env=env,
                           stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           errors="replace")
        log.append(p.stdout)
        if p.returncode != 0:
            problems.append(p.stderr.strip() or f"the tour failed (exit {p.returncode})")
    if ran < 5:
        problems.append(f"only {ran} commands of the tour were run: the parser has stopped "
                        "finding them")
    return problems, log


# ---------------------------------------------------------------- self-check


def build_dir_name(name):
    """Top-level names .gitignore keeps for build trees."""
    return name.startswith("build") or name.startswith("_build")


def copy_tree(source, build, tmp):
    dest = os.path.join(tmp, "copy")
    build_name = os.path.basename(os.path.realpath(build))

    def ignore(d, names):
        top = os.path.realpath(d) == os.path.realpath(source)
        return [n for n in names
                if n == "__pycache__" or
                (top and (n in (".git", build_name) or build_dir_name(n)))]
    shutil.copytree(source, dest, ignore=ignore, symlinks=True)
    return dest


def plant(path, text):
    with open(path, "a", encoding="utf-8") as f:
        f.write(text)


def check_checker(source, build, tool):
    problems = []
    with tempfile.TemporaryDirectory(prefix="lastrec-docs-check-") as tmp:
        copy = copy_tree(source, build, tmp)
        got, _ = check_links(copy)
        if got:
            problems.append("the unchanged copy already fails the link check:\n  " +
                            "\n  ".join(got))
        plant(os.path.join(copy, "docs", "api.md"),
              "\nSee [nothing](no-such-file.md) and [a section](cli.md#no-such-section).\n"
              "`[in code](not-a-link.md)`\n\n```\n[in a block](not-a-link-either.md)\n```\n")
        plant(os.path.join(copy, "README.md"), "\n[up](../outside.md)\n")
        plant(os.path.join(copy, "include", "lastrec", "lastrec.h"),
              "\n/* see docs/no-such-page.md and (docs/api.md, \"No Such Heading\") */\n")
        got, _ = check_links(copy)
        want = ["no-such-file.md: no such file", "cli.md#no-such-section: docs/cli.md has no",
                "../outside.md: points outside", "docs/no-such-page.md: no such file",
                "\"No Such Heading\": no such heading"]
        for w in want:
            if not any(w in g for g in got):
                problems.append(f"a planted broken link was not reported ({w}); got:\n  " +
                                "\n  ".join(got))
        for g in got:
            if "not-a-link" in g:
                problems.append(f"code was read as a link: {g}")
        if len(got) != len(want):
            problems.append(f"{len(got)} problems reported for {len(want)} planted:\n  " +
                            "\n  ".join(got))
        # A tour command that fails must fail the tour check, naming its line.
        readme = os.path.join(tmp, "README.md")
        with open(readme, "w", encoding="utf-8") as f:
            f.write(f"# x\n\n{TOUR_HEADING}\n\n```sh\nlastrec --version\nlastrec --version\n"
                    "lastrec --version\nlastrec --version\n"
                    "lastrec info /tmp/no-such-data-set   # fails\nlastrec --version\n```\n")
        got, _ = run_tour(source, build, tool, readme)
        if not any("README.md:" in g and "no-such-data-set" in g for g in got):
            problems.append(f"a failing tour command was not reported; got {got}")
        # docs/layout.md's list against the objects: one function dropped,
        # one invented.
        layout = os.path.join(copy, "docs", "layout.md")
        with open(layout, encoding="utf-8") as f:
            text = f.read()
        with open(layout, "w", encoding="utf-8") as f:
            f.write(text.replace("`lib/core/alloc.c`: `lr_free`",
                                 "`lib/core/alloc.c`: `lr_no_such_function`"))
        got = check_layout(copy, build)
        for w in ("['lr_no_such_function'] under lib/core/alloc.c",
                  "lib/core/alloc.c defines ['lr_free'], missing"):
            if not any(w in g for g in got):
                problems.append(f"a wrong docs/layout.md was not reported ({w}); got {got}")
    for heading, want in (("A split on disk: `LASTREC_SPLIT`", "a-split-on-disk-lastrec_split"),
                          ("lastrec eval", "lastrec-eval"),
                          ("Measured on the real data (`min_tag_uses` = 2)",
                           "measured-on-the-real-data-min_tag_uses--2"),
                          ("[docs/api.md](docs/api.md) — API", "docsapimd--api")):
        if slug(heading) != want:
            problems.append(f"slug({heading!r}) = {slug(heading)!r}, want {want!r}")
    return problems


# ---------------------------------------------------------------------- main


def main(argv):
    nargs = {"links": 3, "layout": 4, "tour": 5, "checker": 5}
    if len(argv) < 2 or nargs.get(argv[1]) != len(argv):
        sys.exit(__doc__)
    what, source = argv[1], os.path.abspath(argv[2])
    if what == "links":
        problems, notes = check_links(source)
    elif what == "layout":
        problems, notes = check_layout(source, os.path.abspath(argv[3])), []
    elif what == "tour":
        problems, notes = run_tour(source, os.path.abspath(argv[3]), argv[4])
    else:
        problems, notes = check_checker(source, os.path.abspath(argv[3]), argv[4]), []
    for n in notes:
        print(n.rstrip())
    for p in problems:
        print(f"FAIL: {p}")
    if problems:
        return 1
    print(f"PASS: docs-{what}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
