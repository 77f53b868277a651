#!/usr/bin/env python3
"""Configure, build and install lastrec into a temporary prefix, then use it
from a clean environment (env -i) holding only PATH and the variables the
README names: the installed `lastrec --version` runs with nothing else; a
program built with PKG_CONFIG_PATH and `-Wl,-rpath,$(pkg-config
--variable=libdir lastrec)` runs with nothing else; built without the rpath
it fails to find liblastrec.so.1 and runs with LD_LIBRARY_PATH.  Then, as
docs/python.md says, `python3` (the one Meson finds, first on PATH) imports
the installed package with only PATH and PYTHONPATH set, loads the library
installed with it and fits a small model.

A destdir install cannot show this: the run path and every recorded path
name the configured prefix, so the test configures its own build of the
source tree with --prefix (unoptimised, without the tests, building only
what is installed).

usage: install_prefix.py MESON SOURCEDIR CC
"""
import json
import textwrap
import os
import shlex
import shutil
import subprocess
import sys
import tempfile


def run(cmd, env=None, expect=0, **kw):
    """Run a command; on an unexpected status show what ran and what it said."""
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, **kw)
    ok = p.returncode == 0 if expect == 0 else p.returncode != 0
    if not ok:
        shown = " ".join(f"{k}={v}" for k, v in (env or {}).items())
        print(f"FAILED ({p.returncode}): env -i {shown} {shlex.join(cmd)}\n{p.stdout}{p.stderr}")
        sys.exit(1)
    return p


def clean_env(**variables):
    """env -i PATH=… and the given variables, nothing else."""
    env = {"PATH": os.environ["PATH"]}
    env.update(variables)
    return env


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    meson, source, cc = shlex.split(sys.argv[1]), sys.argv[2], shlex.split(sys.argv[3])
    if not shutil.which("pkg-config"):
        print("SKIP: pkg-config is not installed")
        return 77
    with tempfile.TemporaryDirectory(prefix="lastrec-prefix-") as tmp:
        prefix = os.path.join(tmp, "prefix")
        build = os.path.join(tmp, "build")
        setup_env = dict(os.environ, CC=shlex.join(cc))
        for var in ("LD_LIBRARY_PATH", "PKG_CONFIG_PATH", "LASTREC_LIBRARY", "PYTHONPATH"):
            setup_env.pop(var, None)
        run(meson + ["setup", build, source, f"--prefix={prefix}", "-Dtests=false",
                     "-Dbuildtype=plain", "-Db_sanitize=none"], env=setup_env)
        targets = json.loads(run(meson + ["introspect", build, "--targets"]).stdout)
        outputs = [os.path.relpath(f, build) for t in targets if t["installed"]
                   for f in t["filename"]]
        run(["ninja", "-C", build, "-j2"] + outputs, env=setup_env)
        run(meson + ["install", "-C", build, "--no-rebuild", "--quiet"], env=setup_env)
        options = {o["name"]: o["value"] for o in
                   json.loads(run(meson + ["introspect", build, "--buildoptions"]).stdout)}
        libdir = os.path.join(prefix, options["libdir"])
        pcdir = os.path.join(libdir, "pkgconfig")
        print(f"installed into {prefix}; libdir {libdir}")
        if not os.path.isfile(os.path.join(pcdir, "lastrec.pc")):
            print(f"no lastrec.pc in {pcdir}")
            return 1

        # The tool: its run path finds the library.
        tool = os.path.join(prefix, "bin", "lastrec")
        out = run([tool, "--version"], env=clean_env()).stdout
        print(f"$ env -i PATH=… {tool} --version\n{out}", end="")
        ldd = run(["ldd", tool], env=clean_env()).stdout
        lib = next((l for l in ldd.splitlines() if "liblastrec.so.1" in l), "")
        if os.path.join(libdir, "liblastrec.so.1") not in lib:
            print(f"the installed lastrec does not load the installed library: {lib.strip()}")
            return 1
        data = os.path.join(tmp, "data")
        run([tool, "synth", data, "--users", "60", "--artists", "300"], env=clean_env())

        # A program built through pkg-config, as README.md's "Linking" says.
        build_env = clean_env(PKG_CONFIG_PATH=pcdir)
        flags = shlex.split(run(["pkg-config", "--cflags", "--libs", "lastrec"],
                                env=build_env).stdout)
        pc_libdir = run(["pkg-config", "--variable=libdir", "lastrec"], env=build_env).stdout.strip()
        if os.path.realpath(pc_libdir) != os.path.realpath(libdir):
            print(f"pkg-config --variable=libdir says {pc_libdir}, not {libdir}")
            return 1
        src = os.path.join(source, "examples", "dataset_info.c")
        exe = os.path.join(tmp, "with_rpath")
        run(cc + [src, "-o", exe] + flags + [f"-Wl,-rpath,{pc_libdir}"], env=build_env)
        out = run([exe, data], env=clean_env()).stdout
        print(f"$ env -i PATH=… {exe} DATA: {len(out.splitlines())} lines")

        # Without the rpath: the loader's search path must be given.
        exe = os.path.join(tmp, "without_rpath")
        run(cc + [src, "-o", exe] + flags, env=build_env)
        err = run([exe, data], env=clean_env(), expect=1).stderr
        if "liblastrec.so.1" not in err:
            print(f"expected the loader to miss liblastrec.so.1, got: {err}")
            return 1
        run([exe, data], env=clean_env(LD_LIBRARY_PATH=pc_libdir))
        print("without the rpath: fails alone, runs with LD_LIBRARY_PATH")

        # The Python package: where Meson installed it is PYTHONPATH.
        installed = json.loads(run(meson + ["introspect", build, "--installed"]).stdout)
        init = [d for d in installed.values() if d.endswith(os.path.join("lastrec", "__init__.py"))]
        if len(init) != 1 or not os.path.isfile(init[0]):
            print(f"expected one installed lastrec/__init__.py, found {init}")
            return 1
        pythonpath = os.path.dirname(os.path.dirname(init[0]))
        script = textwrap.dedent(f"""
            import os, lastrec
            from lastrec import _install
            print("lastrec", lastrec.library_version(), "from", lastrec.library_path)
            assert lastrec.library_path.startswith({libdir!r} + os.sep), lastrec.library_path
            assert lastrec.library_path.endswith("(installed)"), lastrec.library_path
            assert os.path.isfile(os.path.join(_install.DOCDIR, "docs", "python.md")), _install.DOCDIR
            ds = lastrec.Dataset.synthesize(users=60, artists=300, seed=7)
            train, test = ds.split("per_user", fraction=0.2, seed=7)
            model = lastrec.Model("als", factors=8, epochs=3).fit(train)
            print(lastrec.evaluate(model, train, test, k=10))
            print([r.name for r in model.recommend(train.user_ids()[0], k=3)])
            """)
        out = run(["python3", "-c", script], env=clean_env(PYTHONPATH=pythonpath)).stdout
        print(f"$ env -i PATH=… PYTHONPATH={pythonpath} python3\n{out}", end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
