"""What the tool's test scripts share: running the built `lastrec`, failing
with everything it printed, and the runner each script's main() is.

Every script is run by Meson as `python3 SCRIPT LASTREC TEST` and exits 0
(pass), 1 (fail) or 77 (skipped, saying why).
SPDX-License-Identifier: MIT"""
import json
import os
import subprocess
import sys
import tempfile

TOOL = None  # the tool under test: set by main() from the command line
SKIP = 77
SYNTH_ARGS = ["--users", "150", "--artists", "600", "--seed", "7"]


class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)


def run(*args):
    """Run the tool; (exit status, stdout, stderr), undecodable bytes
    replaced."""
    p = subprocess.run([TOOL, *args], capture_output=True, stdin=subprocess.DEVNULL)
    return (p.returncode, p.stdout.decode("utf-8", "replace"),
            p.stderr.decode("utf-8", "replace"))


def lastrec(*args, status=0):
    """Run the tool; the exit status must be `status`.  Returns (out, err)."""
    rc, out, err = run(*args)
    if rc != status:
        raise Failure(f"lastrec {' '.join(args)}: exit {rc}, want {status}\n"
                      f"--- stdout\n{out}--- stderr\n{err}")
    return out, err


def lastrec_json(*args):
    """Run the tool with --json; it must succeed and print JSON."""
    out, _ = lastrec(*args, "--json")
    try:
        return json.loads(out)
    except ValueError as e:
        raise Failure(f"lastrec {' '.join(args)} --json is not JSON: {e}\n{out[:2000]}")


def trained_model(tmp, algo="als", *extra):
    """A model file of `algo` trained on one thread on synthetic data in
    tmp (written on first use, shared by later calls), with `extra`
    arguments for `lastrec train`."""
    data = os.path.join(tmp, "synthetic")
    if not os.path.isdir(data):
        lastrec("synth", data, *SYNTH_ARGS)
    path = os.path.join(tmp, algo + ".lrmodel")
    lastrec("train", data, "--algo", algo, "-o", path, "--threads", "1", *extra)
    return path


def read_tsv(path):
    """The rows of a tab-separated file with a header line."""
    with open(path, encoding="utf-8", errors="replace") as f:
        next(f)
        return [line.rstrip("\r\n").split("\t") for line in f if line.strip()]


def main(tests, prefix):
    """Run the test named on the command line in a fresh temporary
    directory: `tests` maps names to functions of that directory, which
    return SKIP or None, or raise Failure."""
    global TOOL
    if len(sys.argv) != 3 or sys.argv[2] not in tests:
        sys.exit(f"usage: {sys.argv[0]} LASTREC TEST ({', '.join(tests)})")
    TOOL = sys.argv[1]
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        try:
            rc = tests[sys.argv[2]](tmp)
        except Failure as e:
            print(f"FAIL: {e}")
            return 1
    if rc == SKIP:
        return SKIP
    print(f"PASS: {sys.argv[2]}")
    return 0
