#!/usr/bin/env python3
"""The manual page lastrec(1) and the tool agree.

usage: check_man.py PAGE LASTREC_BINARY [OTHER_PAGE...]

PAGE is the built lastrec(1) (docs/lastrec.1.in with its @VARIABLES@
filled in); the OTHER_PAGEs (lastrec(3)) are only formatted, and every
.Xr lastrec N of the pages must be one of them.

- every command `lastrec --help` lists has a subsection ".Ss lastrec CMD"
  under COMMANDS, and every such subsection is a command;
- in each, the options of the option list (the ".It Fl ..." lines) are
  exactly those `lastrec CMD --help` shows, less those every command
  shows (-h, --help), which OPTIONS describes once;
- OPTIONS holds those common options and the options of `lastrec --help`'s
  usage lines (--version);
- OPTION KEYS lists exactly the keys of `lastrec help options`, and an
  option with named values lists exactly its names;
- groff, when installed, formats the page without a warning;
- the EXAMPLES that need no real data run and exit 0 (their /tmp/ a
  private directory); those naming $LASTREC_DATA run when it is set.

Then the same comparison runs on a copy of the page with a command, an
option and a key taken out and an option added: it must name each, so the
test is known to bite.  Exit 0 pass, 1 fail.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if p.returncode != 0:
        raise SystemExit(f"FAIL: {' '.join(cmd)}: exit {p.returncode}\n{p.stdout}{p.stderr}")
    return p.stdout


# ------------------------------------------------------------------ the tool

def tool_commands(tool):
    """The commands of `lastrec --help`, in order."""
    out = run([tool, "--help"])
    block = out.split("\ncommands:\n", 1)[1].split("\n\n", 1)[0]
    return [line.split()[0] for line in block.splitlines() if line.startswith("  ")]


def tool_global_options(tool):
    """Options named on `lastrec --help`'s usage lines (--version)."""
    out = run([tool, "--help"])
    usage = [l for l in out.splitlines() if l.lstrip().startswith(("usage:", "lastrec"))]
    return {o for l in usage for o in re.findall(r"(?<![\w-])(--?[a-zA-Z][\w-]*)", l)
            if o not in ("--algo",)}   # help options --algo: an argument of help, not global


# "  -o, --output MODEL     write ..." / "  --metric cosine|euclidean t-SNE's ...":
# exactly two spaces, then options separated by ", "; continuation lines
# are indented further.
HELP_OPTION = re.compile(r"^  (-[\w-]+(?:, -[\w-]+)*)")


def tool_options(tool, command):
    """The options `lastrec COMMAND --help` lists."""
    out = run([tool, command, "--help"])
    if "\noptions:\n" not in out:
        return set()
    block = out.split("\noptions:\n", 1)[1]
    return {o for line in block.splitlines() if (m := HELP_OPTION.match(line))
            for o in m.group(1).split(", ")}


def tool_keys(tool):
    """{key: {names} or None} of `lastrec help options`: every key of its
    tables, and the value names of the options that have them."""
    keys = {}
    for algo in ("als",):
        out = run([tool, "help", "options", "--algo", algo])
        for line in out.splitlines():
            m = re.match(r"^  ([a-z][a-z0-9_]*)\s+(int|double)\s+\S+\s+(.*)$", line)
            if not m:
                continue
            # "0 raw, 1 log1p, 2 binary, 3 bm25", not "0 to 1024"
            named = re.fullmatch(r"-?\d+ [a-z][\w-]*(?:, -?\d+ [a-z][\w-]*)*", m.group(3))
            names = re.findall(r"-?\d+ ([a-z][\w-]*)", m.group(3)) if named else []
            keys[m.group(1)] = set(names) or None
    out = run([tool, "help", "options"])
    for line in out.splitlines():   # the general table and the per-algorithm one
        m = re.match(r"^  ([a-z][a-z0-9_]*)\s", line)
        if m and m.group(1) != "key":
            keys.setdefault(m.group(1), None)
    return keys


# ------------------------------------------------------------------ the page

def sections(page):
    """{(.Sh title, .Ss title or None): [lines]} of an mdoc page."""
    out, sh, ss = {}, None, None
    for line in page.splitlines():
        if line.startswith(".Sh "):
            sh, ss = line[4:].strip(), None
        elif line.startswith(".Ss "):
            ss = line[4:].strip()
        out.setdefault((sh, ss), []).append(line)
    return out


def it_options(lines):
    """Options of the .It lines: ".It Fl o , Fl -output Ar MODEL" gives -o
    and --output (mdoc's Fl puts one '-' before its argument)."""
    return {"-" + a.replace("\\-", "-") for l in lines if l.startswith(".It ")
            for a in re.findall(r"\bFl (\S+)", l)}


def it_keys(lines):
    """{key: {names} or None} of ".It Cm key Ns = Ns Ar N" lines, names from
    ".It Cm key Ns = Ns Cm raw Ns | Ns Cm log1p" (digits are numbers, not
    names)."""
    keys = {}
    for l in lines:
        m = re.match(r"^\.It Cm ([a-z][a-z0-9_]*) Ns = Ns (.*)$", l)
        if m:
            names = {n for n in re.findall(r"\bCm (\S+)", m.group(2)) if not n.isdigit()}
            keys[m.group(1)] = names or None
    return keys


def compare(page, commands, global_options, options, keys):
    """Where the page and the tool disagree, one line each."""
    problems = []
    secs = sections(page)
    # Options every command takes are described once, under OPTIONS.
    listed = [options[c] for c in commands if options[c]]
    common = set.intersection(*listed) if listed else set()
    documented = [ss.split()[1] for (sh, ss) in secs if sh == "COMMANDS" and ss
                  and ss.startswith("lastrec ")]
    for c in commands:
        if c not in documented:
            problems.append(f"command '{c}' (lastrec --help) has no '.Ss lastrec {c}' "
                            "under COMMANDS")
    for c in documented:
        if c not in commands:
            problems.append(f"the page documents 'lastrec {c}', which lastrec --help does "
                            "not list")
    for c in commands:
        if c not in documented:
            continue
        shown = it_options(secs[("COMMANDS", f"lastrec {c}")])
        for o in sorted(options[c] - shown - common):
            problems.append(f"lastrec {c} --help shows {o}; the page's 'lastrec {c}' "
                            "section does not list it (.It Fl ...)")
        for o in sorted(shown - options[c]):
            problems.append(f"the page's 'lastrec {c}' section lists {o}, which "
                            f"lastrec {c} --help does not show")
    general = it_options(secs.get(("OPTIONS", None), []))
    for o in sorted(global_options - general):
        problems.append(f"lastrec --help names {o}; the page's OPTIONS section does not")
    for o in sorted(common - general):
        problems.append(f"every command's --help shows {o}; the page's OPTIONS section "
                        "does not describe it")
    page_keys = it_keys(secs.get(("OPTION KEYS", None), []))
    for k in sorted(set(keys) - set(page_keys)):
        problems.append(f"option key '{k}' (lastrec help options) is not in OPTION KEYS")
    for k in sorted(set(page_keys) - set(keys)):
        problems.append(f"OPTION KEYS lists '{k}', which lastrec help options does not")
    for k in sorted(set(keys) & set(page_keys)):
        if keys[k] != page_keys[k] and (keys[k] or page_keys[k]):
            problems.append(f"option key '{k}': the tool names its values {sorted(keys[k] or [])}, "
                            f"the page {sorted(page_keys[k] or [])}")
    return problems


def self_check(page, commands, global_options, options, keys):
    """A page with a command, an option and a key missing, and an option
    the tool lacks, must fail on each."""
    broken = page.replace(".Ss lastrec snapshot", ".Ss lastrec snapshots", 1)
    broken = broken.replace(".It Fl -baseline\n", ".It Fl -baselines\n", 1)
    broken = re.sub(r"^\.It Cm seed Ns = Ns Ar N$", ".It Cm seeds Ns = Ns Ar N", broken,
                    count=1, flags=re.M)
    broken = re.sub(r"Cm bm25$", "Cm bm26", broken, count=1, flags=re.M)
    found = "\n".join(compare(broken, commands, global_options, options, keys))
    want = ["'snapshot'", "'lastrec snapshots'", "--baseline;", "lists --baselines",
            "'seed'", "'seeds'", "'transform'"]
    return [f"self-check: a broken page did not fail on {w}:\n{found}"
            for w in want if w not in found]


def lint(path):
    """groff's warnings on the page (-ww: all of them)."""
    if not shutil.which("groff"):
        print("note: groff is not installed; the page was not formatted")
        return []
    # -mandoc, as man(1) formats it; mdoc's own warnings go to stdout.
    p = subprocess.run(["groff", "-mandoc", "-ww", "-z", "-Tutf8", path],
                       capture_output=True, text=True)
    if p.returncode != 0 or p.stderr.strip() or p.stdout.strip():
        return [f"groff -mandoc -ww on {path}: exit {p.returncode}\n{p.stdout}{p.stderr}"]
    return []


def examples(page, tool):
    """Run the command lines of EXAMPLES' literal blocks; problems."""
    lines = sections(page).get(("EXAMPLES", None), [])
    blocks, cur = [], None
    for line in lines:
        if line.startswith(".Bd -literal"):
            cur = []
        elif line.startswith(".Ed") and cur is not None:
            blocks.append(cur)
            cur = None
        elif cur is not None:
            cur.append(line.replace("\\e", "\\"))
    problems, ran = [], 0
    with tempfile.TemporaryDirectory(prefix="lastrec-man-") as tmp:
        env = dict(os.environ)
        env["PATH"] = os.path.dirname(os.path.abspath(tool)) + os.pathsep + env["PATH"]
        for block in blocks:
            script = "\n".join(block).replace("/tmp/", tmp + "/")
            if "$LASTREC_DATA" in script and not os.environ.get("LASTREC_DATA"):
                print("note: an EXAMPLES block needs LASTREC_DATA, which is unset; not run")
                continue
            p = subprocess.run(["bash", "-e", "-c", script], cwd=tmp, env=env,
                               capture_output=True, text=True, stdin=subprocess.DEVNULL)
            if p.returncode != 0:
                problems.append(f"EXAMPLES: exit {p.returncode}:\n{script}\n{p.stderr}")
            ran += 1
    if not ran and not blocks:
        problems.append("EXAMPLES has no .Bd -literal block")
    return problems


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    path, tool, others = sys.argv[1], sys.argv[2], sys.argv[3:]
    with open(path, encoding="utf-8") as f:
        page = f.read()
    commands = tool_commands(tool)
    if len(commands) < 2:
        print(f"FAIL: found {commands} in lastrec --help: the parse is broken")
        return 1
    global_options = tool_global_options(tool)
    options = {c: tool_options(tool, c) for c in commands}
    keys = tool_keys(tool)
    problems = self_check(page, commands, global_options, options, keys)
    problems += compare(page, commands, global_options, options, keys)
    problems += examples(page, tool)
    pages = {}
    for p in [path] + others:
        with open(p, encoding="utf-8") as f:
            text = f.read()
        m = re.search(r"^\.Dt (\S+) (\d)", text, re.M)
        pages[f"{m.group(1).lower()}({m.group(2)})" if m else p] = text
        if re.search(r"@[A-Z_]+@", text):
            problems.append(f"{p} still holds a @VARIABLE@: give the built page")
        problems += lint(p)
    for name, text in pages.items():
        for ref in re.findall(r"^\.Xr (lastrec \d)", text, re.M):
            want = "{}({})".format(*ref.split())
            if want not in pages:
                problems.append(f"{name} refers to {want}, which is not among the pages")
    for p in problems:
        print(f"FAIL: {p}")
    if problems:
        return 1
    print(f"PASS: {len(commands)} commands, {sum(map(len, options.values()))} command "
          f"options and {len(keys)} option keys documented in {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
