#!/usr/bin/env python3
"""Install the build into a temporary destdir and use it the way a user
would: pkg-config alone gives the flags to build every examples/*.c, the
installed `lastrec` writes a synthetic data set, and each example runs on it
against the installed library.

usage: install_examples.py MESON BUILDDIR EXAMPLES_DIR CC [EXTRA_CFLAGS]
EXTRA_CFLAGS is for a sanitizer build, whose library needs its runtime.
"""
import glob
import os
import shlex
import shutil
import subprocess
import sys
import tempfile


# sqlite_listens.c needs SQLite and a database: tests/abi/sqlite_example.py.
OWN_TEST = {"sqlite_listens.c"}


def run(cmd, **kw):
    """Run a command; on failure show what ran and what it said."""
    p = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if p.returncode != 0:
        print(f"FAILED ({p.returncode}): {shlex.join(cmd)}\n{p.stdout}{p.stderr}")
        sys.exit(1)
    return p.stdout


def find_one(root, name):
    hits = [os.path.join(d, name) for d, _, files in os.walk(root) if name in files]
    if len(hits) != 1:
        print(f"expected one {name} under {root}, found {hits}")
        sys.exit(1)
    return hits[0]


class Installed:
    """Where meson install put a build under a destdir."""

    def __init__(self, dest, prefix, pc):
        self.dest = dest        # the destdir
        self.prefix = prefix    # the configured prefix, as lastrec.pc says (/usr/local)
        self.root = dest + prefix   # that prefix under the destdir
        self.pc = pc            # the installed lastrec.pc
        self.libdir = os.path.dirname(os.path.dirname(pc))


def install(meson, build, tmp):
    """meson install the build into tmp/dest; an Installed, or None (after
    saying why) when the headers or the library are missing."""
    dest = os.path.join(tmp, "dest")
    run(shlex.split(meson) + ["install", "-C", build, "--destdir", dest,
                              "--no-rebuild", "--quiet"])
    pc = find_one(dest, "lastrec.pc")
    with open(pc, encoding="utf-8") as f:
        prefix = next(l.split("=", 1)[1].strip() for l in f if l.startswith("prefix="))
    inst = Installed(dest, prefix, pc)
    for f in ("include/lastrec/lastrec.h", "include/lastrec/version.h"):
        if not os.path.isfile(os.path.join(inst.root, f)):
            print(f"not installed: {f}")
            return None
    find_one(inst.libdir, "liblastrec.so.1")
    return inst


def pkgconfig_flags(inst):
    """pkg-config --cflags --libs lastrec of the installed copy.  The .pc
    says prefix=/usr/local; under a destdir the files are at
    dest/usr/local, which --define-variable points it to."""
    env = dict(os.environ, PKG_CONFIG_PATH=os.path.dirname(inst.pc))
    return shlex.split(run(["pkg-config", f"--define-variable=prefix={inst.root}",
                            "--cflags", "--libs", "lastrec"], env=env))


def example_args(usage):
    """The command line every install test takes, `MESON BUILDDIR
    EXAMPLES_DIR CC [EXTRA_CFLAGS]`, as (meson, build, examples, cc,
    extra_cflags as a list); exits with `usage` for any other."""
    if len(sys.argv) not in (5, 6):
        sys.exit(usage)
    meson, build, examples, cc = sys.argv[1:5]
    extra = shlex.split(sys.argv[5]) if len(sys.argv) == 6 else []
    return meson, build, examples, cc, extra


def pkgconfig_or_skip(package=None, hint=""):
    """pkg-config --cflags --libs of `package` (a list; [] for none), or
    None after printing the SKIP line when pkg-config, or the package, is
    missing (`hint` says where to get it)."""
    if not shutil.which("pkg-config"):
        print("SKIP: pkg-config is not installed")
        return None
    if package is None:
        return []
    p = subprocess.run(["pkg-config", "--cflags", "--libs", package],
                       capture_output=True, text=True)
    if p.returncode != 0:
        print(f"SKIP: pkg-config knows no {package}" + (f" ({hint})" if hint else ""))
        return None
    return shlex.split(p.stdout)


def main():
    meson, build, examples, cc, extra = example_args(__doc__)
    if pkgconfig_or_skip() is None:
        return 77
    with tempfile.TemporaryDirectory(prefix="lastrec-install-") as tmp:
        inst = install(meson, build, tmp)
        if inst is None:
            return 1
        root, libdir = inst.root, inst.libdir
        flags = pkgconfig_flags(inst)
        print("pkg-config --cflags --libs lastrec:", shlex.join(flags))
        # Nothing from the build or source tree may leak into a user's
        # build.  (--define-variable reaches the .pc files of OpenBLAS and
        # LAPACKE too, so their paths are not checked here.)
        trees = (os.path.abspath(build), os.path.dirname(os.path.abspath(examples)))
        for f in flags:
            if any(t in f for t in trees):
                print(f"flag points into the source or build tree: {f}")
                return 1
        if f"-L{libdir}" not in flags or f"-I{root}/include" not in flags:
            print(f"the flags do not name the installed {libdir} and {root}/include")
            return 1

        run_env = dict(os.environ, LD_LIBRARY_PATH=libdir)
        data = os.path.join(tmp, "data")
        tool = os.path.join(root, "bin", "lastrec")
        print(run([tool, "synth", data, "--users", "120", "--artists", "500"],
                  env=run_env), end="")

        # An example that needs more than lastrec has its own test.
        sources = sorted(f for f in glob.glob(os.path.join(examples, "*.c"))
                         if os.path.basename(f) not in OWN_TEST)
        if not sources:
            print(f"no examples in {examples}")
            return 1
        for src in sources:
            exe = os.path.join(tmp, os.path.basename(src)[:-2])
            run(shlex.split(cc) + extra + [src, "-o", exe] + flags)
            print(f"== {os.path.basename(exe)}")
            print(run([exe, data], env=run_env), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
