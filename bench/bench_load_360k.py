#!/usr/bin/env python3
"""bench_load_360k: loading a lastfm-360K-shaped plays file with lastrec
against pandas read_csv of the same file, each run in its own process, with
the median wall time and peak RSS (the child's ru_maxrss) of each.

    bench_load_360k.py [--lastrec build/tools/lastrec/lastrec] [--runs N]
                       [--users 360000] [--artists 160000] [--per-user 48]
                       [DIR]

DIR holds usersha1-artmbid-artname-plays.tsv; when it lacks one, the script
makes it first with `lastrec synth DIR --format lastfm-360k` at the given
shape (the default is the real data set's: 360,000 users, 160,000 artists,
about 17 M rows, 1.5 GB; writing it takes about a minute).

Three loads are timed:
- `lastrec info DIR`: streams the file, merges artist spellings, sums
  duplicate rows, builds the dataset (CSR and CSC listens, statistics) and
  prints its counts;
- pandas read_csv(sep='\\t', header=None, names=..., quoting=QUOTE_NONE,
  dtype plays int32, MBID and name as object): the file as a data frame and
  nothing more;
- pandas read_csv then the same reduction lastrec does, as a notebook would
  write it: factorize users and artists (MBID, else lower-cased name), then
  groupby-sum per (user, artist).
Each pandas process pays its `import pandas` (about 0.3 s), as a user's
script does.  pandas is Debian's python3-pandas; when the running Python
lacks it and /usr/bin/python3 has it, pandas runs there; when neither has
it, only lastrec's figures are printed.  No hard-coded answer: the row and
listen counts each loader reports are printed beside the figures.
SPDX-License-Identifier: MIT
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

PLAYS = "usersha1-artmbid-artname-plays.tsv"

READ = r"""
import csv, sys
import numpy as np
import pandas as pd
df = pd.read_csv(sys.argv[1], sep="\t", header=None,
                 names=["user", "mbid", "name", "plays"], quoting=csv.QUOTE_NONE,
                 dtype={"user": object, "mbid": object, "name": object, "plays": np.int32},
                 keep_default_na=False, na_values=[], encoding="utf-8",
                 encoding_errors="replace")
"""

REDUCE = READ + r"""
key = df["mbid"].where(df["mbid"] != "", "n:" + df["name"].str.lower().str.split().str.join(" "))
df["u"] = pd.factorize(df["user"])[0]
df["a"] = pd.factorize(key)[0]
listens = df.groupby(["u", "a"], sort=False)["plays"].sum()
print("rows", len(df), "listens", len(listens))
"""

READ += r"""
print("rows", len(df), "listens", "-")
"""


def pandas_python():
    """A Python that has pandas, or None."""
    for exe in (sys.executable, "/usr/bin/python3"):
        if not os.path.exists(exe):
            continue
        r = subprocess.run([exe, "-c", "import pandas"], capture_output=True)
        if r.returncode == 0:
            return exe
    return None


def run(cmd):
    """Wall seconds, peak RSS in MB and stdout of one process."""
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = p.stdout.read().decode("utf-8", "replace")
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        sys.exit("bench_load_360k: %s failed (exit %d)" % (" ".join(cmd[:3]), p.returncode))
    return wall, usage.ru_maxrss / 1024.0, out


def lastrec_counts(out):
    rows = listens = "?"
    for line in out.splitlines():
        f = line.split()
        if line.strip().startswith("user-artist pairs"):
            listens = f[2]
        if line.strip().startswith("rows summed"):
            rows = f[2]
    return "pairs %s (rows summed %s)" % (listens, rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dir", nargs="?", default="/tmp/lastrec-bench-360k")
    ap.add_argument("--lastrec", default=os.path.join("build", "tools", "lastrec", "lastrec"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--users", type=int, default=360000)
    ap.add_argument("--artists", type=int, default=160000)
    ap.add_argument("--per-user", type=int, default=48)
    a = ap.parse_args()
    plays = os.path.join(a.dir, PLAYS)
    if not os.path.exists(plays):
        print("writing %s (lastrec synth --format lastfm-360k)" % a.dir, flush=True)
        subprocess.run([a.lastrec, "synth", a.dir, "--format", "lastfm-360k",
                        "--users", str(a.users), "--artists", str(a.artists),
                        "--opt", "synth_artists_per_user=%d" % a.per_user], check=True)
    size = os.path.getsize(plays)
    print("file: %s, %.2f GB; %d runs each, medians; machine load %.1f" %
          (plays, size / 1e9, a.runs, os.getloadavg()[0]))

    loaders = [("lastrec info", [a.lastrec, "info", a.dir], lastrec_counts)]
    py = pandas_python()
    if py:
        loaders.append(("pandas read_csv", [py, "-c", READ, plays], str.strip))
        loaders.append(("pandas read_csv + reduce", [py, "-c", REDUCE, plays], str.strip))
    else:
        print("pandas is not installed (Debian: python3-pandas): lastrec alone")

    rows = []
    for name, cmd, counts in loaders:
        walls, rss, out = [], [], ""
        for _ in range(a.runs):
            w, r, out = run(cmd)
            walls.append(w)
            rss.append(r)
        rows.append((name, statistics.median(walls), statistics.median(rss), min(walls),
                     max(walls), counts(out)))

    print("%-26s %10s %12s %17s  %s" % ("loader", "median s", "peak RSS MB", "min-max s", "counts"))
    for name, w, r, lo, hi, c in rows:
        print("%-26s %10.2f %12.0f %8.2f-%-8.2f  %s" % (name, w, r, lo, hi, c))
    base = rows[0]
    for name, w, r, _, _, _ in rows[1:]:
        print("lastrec / %s: time %.2fx, peak RSS %.2fx" % (name, base[1] / w, base[2] / r))


if __name__ == "__main__":
    main()
