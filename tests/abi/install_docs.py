#!/usr/bin/env python3
"""Install the build into a temporary destdir and check its documentation:
every page of docs/, README.md, COPYING and CHANGELOG.md is installed under
the doc directory at its source-tree path, and every reference to the
documentation in the installed header and Python package names a file that
is installed there (and, for `docs/x.md, "Section"`, a heading that exists);
the installed package records that doc directory; lastrec(1) and
lastrec(3) are installed in <mandir> naming that directory, and the HTML
reference, when built, in DOCDIR/html.

usage: install_docs.py MESON BUILDDIR SOURCEDIR DOCDIR
DOCDIR is the absolute doc directory of the configured prefix
(<prefix>/<datadir>/doc/lastrec).
"""
import filecmp
import glob
import os
import re
import shlex
import subprocess
import sys
import tempfile

# A reference: docs/NAME (or a wrong ../docs/NAME), not part of a longer
# path such as /usr/local/share/doc/lastrec/docs/x.md, and optionally the
# section it cites: docs/api.md, "Determinism".
REF = re.compile(r'(?<![\w/.-])((?:\.\./)*docs/[\w.-]*\w)(?:, "([^"]+)")?')


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        print(f"FAILED ({p.returncode}): {shlex.join(cmd)}\n{p.stdout}{p.stderr}")
        sys.exit(1)


def find_one(root, rel):
    """The one file under root whose path ends with rel."""
    hits = [os.path.join(d, f) for d, _, files in os.walk(root) for f in files
            if os.path.join(d, f).endswith(os.sep + rel)]
    if len(hits) != 1:
        print(f"expected one {rel} under {root}, found {hits}")
        sys.exit(1)
    return hits[0]


def headings(path):
    with open(path, encoding="utf-8") as f:
        return [l.lstrip("#").strip() for l in f if l.startswith("#")]


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    meson, build, source, docdir = sys.argv[1:5]
    errors = []
    with tempfile.TemporaryDirectory(prefix="lastrec-docs-") as tmp:
        run(shlex.split(meson) + ["install", "-C", build, "--destdir", tmp,
                                  "--no-rebuild", "--quiet"])
        installed_docs = tmp + docdir
        expected = ["README.md", "COPYING", "CHANGELOG.md"] + [
            os.path.relpath(p, source) for p in sorted(glob.glob(os.path.join(source, "docs", "*.md")))]
        for rel in expected:
            dst = os.path.join(installed_docs, rel)
            if not os.path.isfile(dst):
                errors.append(f"not installed: {rel} (expected {dst[len(tmp):]}; "
                              f"list it in docs/meson.build)")
            elif not filecmp.cmp(os.path.join(source, rel), dst, shallow=False):
                errors.append(f"installed {rel} differs from the source")
        print(f"{len(expected)} documentation files expected under {docdir}")
        # `man lastrec` after install: the page in <mandir>/man1, its
        # @DOCDIR@ filled in; and the HTML reference when this build made it.
        for section, named in (("1", "docs/cli.md"), ("3", "docs/api.md")):
            page = find_one(tmp, os.path.join("man" + section, "lastrec." + section))
            with open(page, encoding="utf-8") as f:
                text = f.read()
            if f"{docdir}/{named}" not in text or re.search(r"@[A-Z_]+@", text):
                errors.append(f"installed {page[len(tmp):]} does not name {docdir}/{named}")
        if os.path.isdir(os.path.join(build, "docs", "html")) and not os.path.isfile(
                os.path.join(installed_docs, "html", "index.html")):
            errors.append(f"the HTML reference was built but not installed as {docdir}/html")

        # The installed copies are what a user reads.
        readers = [find_one(tmp, os.path.join("include", "lastrec", "lastrec.h"))]
        package = os.path.dirname(find_one(tmp, os.path.join("lastrec", "_lib.py")))
        readers += sorted(glob.glob(os.path.join(package, "*.py")))
        # The installed package records the doc directory (lastrec._install).
        recorded = {}
        with open(os.path.join(package, "_install.py"), encoding="utf-8") as f:
            exec(f.read(), recorded)
        if recorded.get("DOCDIR") != docdir:
            errors.append(f"lastrec/_install.py records DOCDIR {recorded.get('DOCDIR')!r}, not {docdir!r}")
        count = 0
        for path in readers:
            with open(path, encoding="utf-8") as f:
                text = f.read()
            shown = os.path.relpath(path, tmp)
            for m in REF.finditer(text):
                count += 1
                ref, section = m.group(1), m.group(2)
                line = text.count("\n", 0, m.start()) + 1
                where = f"/{shown}:{line}: {ref}"
                if ref.startswith("../"):
                    errors.append(f"{where}: name docs/… from the top of the tree, not ../docs/…")
                    continue
                target = os.path.join(installed_docs, ref)
                if not os.path.isfile(target):
                    errors.append(f"{where}: no such file in {docdir}")
                elif section and not any(section in h for h in headings(target)):
                    errors.append(f'{where}: no heading "{section}" in it')
        print(f"{count} references to the documentation in {len(readers)} installed files")
    for e in errors:
        print(e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
