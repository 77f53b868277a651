#!/usr/bin/env python3
"""Install the build into a temporary destdir and use it from CMake, as a
CMake user would: a project that says find_package(lastrec 0.1 REQUIRED)
and links lastrec::lastrec builds examples/dataset_info.c against the
installed copy, found through CMAKE_PREFIX_PATH alone, and runs it; so does
one linking lastrec::lastrec_static (find_package(lastrec COMPONENTS
static)).  Both print what the same example built through pkg-config
prints.  The package is relocatable: it names no absolute path of the
configured prefix (the destdir is such a move already).  Its version file
accepts 0.1, 0.1.0 EXACT and 0.0 (same major, older) and refuses 0.2,
1.0 and 0.1.1 EXACT.

usage: install_cmake.py MESON BUILDDIR EXAMPLES_DIR CC [EXTRA_CFLAGS]
EXTRA_CFLAGS is for a sanitizer build, whose library needs its runtime.
"""
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

from install_examples import example_args, find_one, install, pkgconfig_flags, run

PROJECT = """\
cmake_minimum_required(VERSION 3.13)
project(use_lastrec C)
find_package(lastrec 0.1 REQUIRED)
add_executable(dataset_info "{src}")
target_link_libraries(dataset_info PRIVATE lastrec::lastrec)
find_package(lastrec 0.1 REQUIRED COMPONENTS static)
add_executable(dataset_info_static "{src}")
target_link_libraries(dataset_info_static PRIVATE lastrec::lastrec_static)
"""

# Each line: the find_package arguments after "lastrec", and whether the
# version file must accept them.  (A language, C, must be enabled: CMake
# searches <prefix>/lib/<multiarch>/cmake only once it knows the architecture.)
VERSIONS = [("0.1", True), ("0.1.0 EXACT", True), ("0.0", True), ("0.2", False),
            ("1.0", False), ("0.1.1 EXACT", False), ("0.1...<1.0", True), ("0.2...1.0", False)]
PROBE = """\
cmake_minimum_required(VERSION 3.13)
project(probe C)
{calls}
"""


def cmake(args, cwd, env):
    return run(["cmake"] + args, cwd=cwd, env=env)


def main():
    meson, build, examples, cc, extra = example_args(__doc__)
    for prog in ("cmake", "pkg-config"):
        if not shutil.which(prog):
            print(f"SKIP: {prog} is not installed (Debian: {prog}; scripts/install-deps --test)")
            return 77
    cc = shlex.split(cc)
    with tempfile.TemporaryDirectory(prefix="lastrec-cmake-") as tmp:
        inst = install(meson, build, tmp)
        if inst is None:
            return 1
        config = find_one(inst.dest, "lastrecConfig.cmake")
        find_one(inst.dest, "lastrecConfigVersion.cmake")
        cmake_dir = os.path.relpath(os.path.dirname(config), inst.root)
        if cmake_dir != os.path.join(os.path.relpath(inst.libdir, inst.root), "cmake", "lastrec"):
            print(f"lastrecConfig.cmake is in {cmake_dir}, not <libdir>/cmake/lastrec")
            return 1
        with open(config, encoding="utf-8") as f:
            text = f.read()
        for path in (inst.prefix + "/", os.path.abspath(build), os.path.abspath(examples)):
            if path in text:
                print(f"{config} names {path}: the package would not survive a move")
                return 1
        print(f"installed {os.path.relpath(config, inst.dest)}; no absolute path in it")

        # The environment of a user with nothing set: no LD_LIBRARY_PATH
        # (Meson's test environment points it at the build tree), CC and
        # CFLAGS for the compiler this build uses.
        env = {k: v for k, v in os.environ.items()
               if k not in ("LD_LIBRARY_PATH", "PKG_CONFIG_PATH", "CMAKE_PREFIX_PATH")}
        env.update(CC=cc[0], CFLAGS=shlex.join(cc[1:] + extra))
        prefix_path = f"-DCMAKE_PREFIX_PATH={inst.root}"

        # The version file.
        probe = os.path.join(tmp, "probe")
        os.mkdir(probe)
        calls = "\n".join(
            f'find_package(lastrec {v} QUIET)\n'
            f'message(STATUS "probe {v}: ${{lastrec_FOUND}} ${{lastrec_VERSION}}")\n'
            f'unset(lastrec_FOUND)'
            for v, _ in VERSIONS)
        with open(os.path.join(probe, "CMakeLists.txt"), "w", encoding="utf-8") as f:
            f.write(PROBE.format(calls=calls))
        out = cmake(["-S", probe, "-B", os.path.join(probe, "b"), prefix_path], tmp, env)
        for v, ok in VERSIONS:
            m = re.search(rf"^-- probe {re.escape(v)}: (\S*) ?(.*)$", out, re.M)
            found = bool(m) and m.group(1) in ("1", "TRUE", "ON")
            if found != ok:
                print(f"find_package(lastrec {v}) {'found' if found else 'did not find'} "
                      f"lastrec {inst.prefix}:\n{out}")
                return 1
        print("version file: " + ", ".join(f"{v} {'yes' if ok else 'no'}" for v, ok in VERSIONS))

        # The example, built by CMake against the installed copy.
        src = os.path.join(examples, "dataset_info.c")
        proj = os.path.join(tmp, "project")
        os.mkdir(proj)
        with open(os.path.join(proj, "CMakeLists.txt"), "w", encoding="utf-8") as f:
            f.write(PROJECT.format(src=src.replace("\\", "/")))
        bdir = os.path.join(proj, "build")
        gen = ["-G", "Ninja"] if shutil.which("ninja") else []
        cmake(["-S", proj, "-B", bdir, prefix_path] + gen, tmp, env)
        cmake(["--build", bdir], tmp, env)

        data = os.path.join(tmp, "data")
        tool = os.path.join(inst.root, "bin", "lastrec")
        run([tool, "synth", data, "--users", "120", "--artists", "500"],
            env=dict(env, LD_LIBRARY_PATH=inst.libdir))
        reference = os.path.join(tmp, "dataset_info_pkgconfig")
        run(cc + extra + [src, "-o", reference] + pkgconfig_flags(inst))
        want = run([reference, data], env=dict(env, LD_LIBRARY_PATH=inst.libdir))
        if not re.match(r"\d+ users, \d+ artists, \d+ listens, \d+ tags\n", want):
            print(f"dataset_info through pkg-config printed:\n{want}")
            return 1

        shared = os.path.join(bdir, "dataset_info")
        static = os.path.join(bdir, "dataset_info_static")
        # The shared build finds the installed library by the run path CMake
        # gives a build of an imported target, with nothing set.
        ldd = run(["ldd", shared], env=env)
        line = next((l for l in ldd.splitlines() if "liblastrec.so.1" in l), "")
        if os.path.join(inst.libdir, "liblastrec.so.1") not in line:
            print(f"the CMake build does not load the installed library: {line.strip()}")
            return 1
        ldd = run(["ldd", static], env=env)
        if "liblastrec" in ldd:
            print(f"the lastrec::lastrec_static build loads liblastrec:\n{ldd}")
            return 1
        for exe in (shared, static):
            got = run([exe, data], env=env)
            if got != want:
                print(f"{os.path.basename(exe)} built by CMake printed\n{got}\n"
                      f"not, as through pkg-config,\n{want}")
                return 1
        print(f"dataset_info by CMake, shared and static, prints what pkg-config's build "
              f"prints:\n{want}", end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
